package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.ingest.IngestMetrics;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hands one chunk's ticks to the shared Kafka producer, never sending a symbol's {@code u} at or below one
 * already sent, and conflating when Kafka cannot keep up.
 *
 * <p><b>Contract.</b> While the producer's write queue has room, every tick is sent at once, in arrival order.
 * When it is full (Kafka down or slow), each symbol keeps only its newest pending tick: older pending ticks
 * are dropped and counted ({@code reason=conflated}). Memory is therefore bounded by the producer's write
 * queue (bytes) plus one pending tick per symbol of the chunk, whatever the exchange sends and however long
 * Kafka is away. Pending ticks are retried every {@link #RETRY_MILLIS} ms until the queue has room. A record
 * Kafka finally rejects is put back as pending unless a newer tick of its symbol was sent meanwhile, so the
 * latest tick of every symbol eventually reaches the topic.
 *
 * <p><b>Threading.</b> Not thread-safe: one instance per chunk, used only on the chunk's context. The
 * producer is shared by all chunks (it is thread-safe and runs {@code send} on its own worker), so all
 * chunks' records batch together.
 */
public final class ConflatingKafkaSender {

  /** How often pending ticks are retried while the producer's queue is full. */
  static final long RETRY_MILLIS = 5;

  private final Vertx vertx;
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  /** Highest {@code u} handed to the producer, per symbol. */
  private final Map<String, long[]> lastSent = new HashMap<>();
  /** Newest tick per symbol waiting for room in the producer's queue, oldest symbol first. */
  private final LinkedHashMap<String, BookTicker> pending = new LinkedHashMap<>();
  private long retryTimer = -1;
  private boolean closed;

  private final Counter sent;
  private final Counter acked;
  private final Counter duplicates;
  private final Counter conflated;
  private final Counter kafkaErrors;
  private final Timer sendLatency;
  private final Timer addedLatency;

  public ConflatingKafkaSender(Vertx vertx, KafkaProducer<String, byte[]> producer, String topic, MeterRegistry registry) {
    this.vertx = vertx;
    this.producer = producer;
    this.topic = topic;
    this.sent = registry.counter(IngestMetrics.TICKS_SENT);
    this.acked = registry.counter(IngestMetrics.TICKS_ACKED);
    this.duplicates = registry.counter(IngestMetrics.DROPS, "reason", "duplicate");
    this.conflated = registry.counter(IngestMetrics.DROPS, "reason", "conflated");
    this.kafkaErrors = registry.counter(IngestMetrics.DROPS, "reason", "kafka-error");
    this.sendLatency = IngestMeters.latencyTimer(registry, IngestMetrics.KAFKA_SEND_LATENCY);
    this.addedLatency = IngestMeters.latencyTimer(registry, IngestMetrics.ADDED_LATENCY);
  }

  /** Sends {@code tick} (stamped with {@code pt}) now, or keeps it as its symbol's pending tick. */
  public void offer(BookTicker tick) {
    if (closed) {
      return;
    }
    long[] last = lastSent.get(tick.symbol());
    if (last != null && tick.updateId() <= last[0]) {
      duplicates.increment();
      return;
    }
    BookTicker older = pending.get(tick.symbol());
    if (older != null) {
      if (tick.updateId() <= older.updateId()) {
        duplicates.increment();
        return;
      }
      // Keep the symbol's place in the queue; only its content gets newer.
      pending.put(tick.symbol(), tick);
      conflated.increment();
      return;
    }
    if (!pending.isEmpty() || producer.writeQueueFull()) {
      pending.put(tick.symbol(), tick);
      scheduleRetry();
      return;
    }
    send(tick, last);
  }

  /** Ticks waiting for room in the producer's queue (at most one per symbol). */
  public int pendingCount() {
    return pending.size();
  }

  private void send(BookTicker tick, long[] last) {
    if (last == null) {
      lastSent.put(tick.symbol(), new long[]{tick.updateId()});
    } else {
      last[0] = tick.updateId();
    }
    KafkaProducerRecord<String, byte[]> record = KafkaProducerRecord.create(topic, tick.symbol(),
        encoder.recordValue(tick), tick.receiveTimeMicros() / 1000, null);
    long startNanos = System.nanoTime();
    sent.increment();
    producer.send(record).onComplete(ar -> {
      if (ar.succeeded()) {
        acked.increment();
        sendLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        addedLatency.record(Math.max(0, EpochMicros.now() - tick.receiveTimeMicros()), TimeUnit.MICROSECONDS);
      } else {
        kafkaErrors.increment();
        retryFailed(tick);
      }
    });
  }

  /** A record Kafka rejected: send it again unless something newer of its symbol went or waits. */
  private void retryFailed(BookTicker tick) {
    long[] last = lastSent.get(tick.symbol());
    if (last != null && last[0] == tick.updateId() && !pending.containsKey(tick.symbol())) {
      last[0] = tick.updateId() - 1;
      pending.put(tick.symbol(), tick);
      scheduleRetry();
    }
  }

  private void scheduleRetry() {
    if (retryTimer < 0 && !closed) {
      retryTimer = vertx.setTimer(RETRY_MILLIS, id -> {
        retryTimer = -1;
        drainPending();
      });
    }
  }

  private void drainPending() {
    Iterator<BookTicker> it = pending.values().iterator();
    while (it.hasNext() && !producer.writeQueueFull()) {
      BookTicker tick = it.next();
      it.remove();
      long[] last = lastSent.get(tick.symbol());
      if (last != null && tick.updateId() <= last[0]) {
        duplicates.increment();
        continue;
      }
      send(tick, last);
    }
    if (!pending.isEmpty()) {
      scheduleRetry();
    }
  }

  /** Stops retrying; pending ticks are dropped (the process is stopping). */
  public void close() {
    closed = true;
    pending.clear();
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
    }
  }

}
