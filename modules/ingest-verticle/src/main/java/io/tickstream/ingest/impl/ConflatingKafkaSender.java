package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.ingest.IngestMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands one chunk's ticks to the shared Kafka producer, never sending a symbol's {@code u} at or below one
 * already sent, and conflating when Kafka cannot keep up.
 *
 * <p><b>Contract.</b> While the bytes in flight to Kafka (shared by all chunks) stay under the limit, every
 * tick is sent at once, in arrival order. Above it (Kafka down or slow), each symbol keeps only its newest
 * pending tick: older pending ticks are dropped and counted ({@code reason=conflated}). Memory is therefore
 * bounded by the in-flight limit plus one pending tick per symbol of the chunk, whatever the exchange sends
 * and however long Kafka is away. Pending ticks are retried every {@link #RETRY_MILLIS} ms. A record Kafka
 * rejects is put back as pending unless a newer tick of its symbol was sent meanwhile, so the latest tick of
 * every symbol eventually reaches the topic.
 *
 * <p><b>Delisting.</b> {@link #delist} ends a symbol: its pending tick is dropped, its tombstone (key = symbol,
 * null value) is sent, and from then on nothing of the symbol is sent (ticks still arriving before the exchange
 * has processed the UNSUBSCRIBE, and rejected records put back for a retry, are dropped as {@code reason=delisted}).
 * The producer keeps a partition's order (one request in flight, or idempotence), so the tombstone is the
 * symbol's last record from this node and compaction eventually removes the symbol from the topic. A tombstone
 * Kafka rejects is sent again until acknowledged, unless {@link #relist} came first. {@link #relist} lets the
 * symbol's ticks through again; the per-symbol {@code u} rule is kept across the two.
 *
 * <p><b>Why the Kafka producer is called directly.</b> The Vert.x Kafka client runs every {@code send} on a
 * worker thread and completes it back on the event loop: two thread hand-offs per tick, which at tens of
 * thousands of ticks per second cost more CPU than everything else the ingest does and add queueing delay.
 * Here {@code send} runs on the event loop, which is safe because the producer is configured with
 * {@code max.block.ms=0} (it fails instead of waiting for metadata or buffer space: the tick becomes pending)
 * and the in-flight limit stays below {@code buffer.memory}. Acknowledgements are counted on Kafka's network
 * thread (the meters are thread-safe); only failures, which are rare, hop back to the chunk's context.
 *
 * <p><b>Held.</b> A sender starts {@linkplain #hold() held} while its chunk is being taken over from another node:
 * it keeps each symbol's newest tick as pending and sends nothing, so the topic never gets the new owner's ticks
 * interleaved with the old owner's. {@link #release(Map)} raises the per-symbol floor to the old owner's last
 * sent {@code u} and sends what is newer: across owners, too, a symbol's {@code u} only increases.
 *
 * <p><b>Threading.</b> Not thread-safe: one instance per chunk, used on the chunk's context, except the
 * producer callback noted above.
 */
public final class ConflatingKafkaSender {

  /** How often pending ticks are retried while Kafka is behind. */
  static final long RETRY_MILLIS = 5;

  private final Vertx vertx;
  private final Context context;
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final AtomicLong inFlightBytes;
  private final long maxInFlightBytes;
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  /**
   * Per symbol: [0] the highest {@code u} handed to the producer (lowered by one when Kafka rejects it, so that it is
   * sent again), [1] the highest {@code u} published on the express lane, which a retry never lowers.
   */
  private final Map<String, long[]> lastSent = new HashMap<>();
  /** Newest tick per symbol waiting for Kafka, oldest symbol first. */
  private final LinkedHashMap<String, BookTicker> pending = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<BookTicker> failed = new ConcurrentLinkedQueue<>();
  /** Symbols delisted (nothing of them is sent), and those of them whose tombstone Kafka has not taken yet. */
  private final Set<String> delisted = new HashSet<>();
  private final Set<String> tombstonesToSend = new LinkedHashSet<>();
  private final AtomicBoolean failureDrainScheduled = new AtomicBoolean();
  private long retryTimer = -1;
  private boolean closed;
  private boolean held;
  /** Records of this sender handed to the producer and not yet acknowledged or failed. */
  private final AtomicLong ownInFlight = new AtomicLong();
  private ExpressPublisher express;

  private final Counter sent;
  private final Counter acked;
  private final Counter duplicates;
  private final Counter conflated;
  private final Counter kafkaErrors;
  private final Counter delistedDrops;
  private final Counter tombstones;
  private final Timer sendLatency;
  private final Timer addedLatency;

  /**
   * @param context        the chunk's context: every method but the producer callback runs there
   * @param inFlightBytes  bytes handed to the producer and not yet acknowledged, shared by all chunks
   */
  public ConflatingKafkaSender(Vertx vertx, Context context, Producer<String, byte[]> producer, String topic,
                               AtomicLong inFlightBytes, long maxInFlightBytes, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = context;
    this.producer = producer;
    this.topic = topic;
    this.inFlightBytes = inFlightBytes;
    this.maxInFlightBytes = maxInFlightBytes;
    this.sent = registry.counter(IngestMetrics.TICKS_SENT);
    this.acked = registry.counter(IngestMetrics.TICKS_ACKED);
    this.duplicates = registry.counter(IngestMetrics.DROPS, "reason", "duplicate");
    this.conflated = registry.counter(IngestMetrics.DROPS, "reason", "conflated");
    this.kafkaErrors = registry.counter(IngestMetrics.DROPS, "reason", "kafka-error");
    this.delistedDrops = registry.counter(IngestMetrics.DROPS, "reason", "delisted");
    this.tombstones = registry.counter(IngestMetrics.TOMBSTONES);
    this.sendLatency = IngestMeters.latencyTimer(registry, IngestMetrics.KAFKA_SEND_LATENCY);
    this.addedLatency = IngestMeters.latencyTimer(registry, IngestMetrics.ADDED_LATENCY);
  }

  /**
   * Also publishes every tick handed to the producer on the express lane; null (the default) for none. Call before
   * the first tick.
   */
  ConflatingKafkaSender express(ExpressPublisher publisher) {
    this.express = publisher;
    return this;
  }

  /** Sends {@code tick} (stamped with {@code pt}) now, or keeps it as its symbol's pending tick. */
  public void offer(BookTicker tick) {
    if (closed) {
      return;
    }
    if (!delisted.isEmpty() && delisted.contains(tick.symbol())) {
      delistedDrops.increment();
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
    if (held || !pending.isEmpty() || inFlightBytes.get() >= maxInFlightBytes) {
      pending.put(tick.symbol(), tick);
      scheduleRetry();
      return;
    }
    send(tick, last);
  }

  /** Sends nothing until {@link #release}; each symbol's newest tick waits as pending meanwhile. */
  public void hold() {
    held = true;
  }

  /**
   * Starts sending: first what is pending, then every new tick, never a {@code u} at or below {@code floor} (the
   * previous owner's last sent {@code u} per symbol).
   */
  public void release(Map<String, Long> floor) {
    floor.forEach((symbol, u) -> {
      long[] last = lastSent.get(symbol);
      if (last == null) {
        lastSent.put(symbol, new long[]{u, u});
      } else if (u > last[0]) {
        last[0] = u;
        last[1] = Math.max(last[1], u);
      }
    });
    held = false;
    drainPending();
  }

  /** The highest {@code u} handed to the producer, per symbol: the floor for the next owner. */
  public Map<String, Long> lastSent() {
    Map<String, Long> copy = new HashMap<>();
    lastSent.forEach((symbol, last) -> copy.put(symbol, last[0]));
    return copy;
  }

  /** Records this sender handed to Kafka that are neither acknowledged nor failed yet. Any thread. */
  public long inFlight() {
    return ownInFlight.get();
  }

  /**
   * Ends {@code symbol} (upper case): drops its pending tick, sends its tombstone, and sends nothing more of it
   * until {@link #relist}. Idempotent.
   */
  public void delist(String symbol) {
    if (closed || !delisted.add(symbol)) {
      return;
    }
    if (pending.remove(symbol) != null) {
      delistedDrops.increment();
    }
    sendTombstone(symbol);
  }

  /** Lets {@code symbol}'s ticks through again (listed again, or TRADING again); a no-op if it was not delisted. */
  public void relist(String symbol) {
    delisted.remove(symbol);
    tombstonesToSend.remove(symbol);
  }

  private void sendTombstone(String symbol) {
    // Record timestamp: now, as the tombstone has no pt of its own.
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, System.currentTimeMillis(), symbol, (byte[]) null);
    try {
      producer.send(record, (metadata, error) -> {
        // Kafka's network thread.
        if (error == null) {
          tombstones.increment();
        } else {
          kafkaErrors.increment();
          context.runOnContext(v -> retryTombstone(symbol));
        }
      });
    } catch (KafkaException | IllegalStateException e) {
      kafkaErrors.increment();
      retryTombstone(symbol);
    }
  }

  private void retryTombstone(String symbol) {
    if (!closed && delisted.contains(symbol)) {
      tombstonesToSend.add(symbol);
      scheduleRetry();
    }
  }

  /** Ticks waiting for Kafka (at most one per symbol). */
  public int pendingCount() {
    return pending.size();
  }

  private void send(BookTicker tick, long[] last) {
    if (last == null) {
      lastSent.put(tick.symbol(), last = new long[]{tick.updateId(), Long.MIN_VALUE});
    } else {
      last[0] = tick.updateId();
    }
    byte[] value = encoder.recordValue(tick);
    // Once per tick: a tick Kafka rejected is sent again (every RETRY_MILLIS while Kafka is away), but the fanouts
    // had it from the express lane the first time. Publishing it again flooded every fanout during an outage.
    if (express != null && tick.updateId() > last[1]) {
      last[1] = tick.updateId();
      express.offer(value);
    }
    int size = value.length + tick.symbol().length();
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, tick.receiveTimeMicros() / 1000,
        tick.symbol(), value);
    long startNanos = System.nanoTime();
    inFlightBytes.addAndGet(size);
    ownInFlight.incrementAndGet();
    try {
      producer.send(record, (metadata, error) -> {
        // Kafka's network thread.
        inFlightBytes.addAndGet(-size);
        ownInFlight.decrementAndGet();
        if (error == null) {
          acked.increment();
          sendLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
          addedLatency.record(Math.max(0, EpochMicros.now() - tick.receiveTimeMicros()), TimeUnit.MICROSECONDS);
        } else {
          kafkaErrors.increment();
          failed.add(tick);
          if (failureDrainScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drainFailures());
          }
        }
      });
      sent.increment();
    } catch (KafkaException | IllegalStateException e) {
      // max.block.ms=0: no metadata yet, or no buffer space. The tick waits as pending.
      inFlightBytes.addAndGet(-size);
      ownInFlight.decrementAndGet();
      kafkaErrors.increment();
      retryFailed(tick);
    }
  }

  private void drainFailures() {
    failureDrainScheduled.set(false);
    BookTicker tick;
    while ((tick = failed.poll()) != null) {
      retryFailed(tick);
    }
  }

  /** A record Kafka rejected: send it again unless something newer of its symbol went or waits. */
  private void retryFailed(BookTicker tick) {
    if (closed) {
      return;
    }
    if (delisted.contains(tick.symbol())) {
      delistedDrops.increment();
      return;
    }
    long[] last = lastSent.get(tick.symbol());
    if (last != null && last[0] == tick.updateId() && !pending.containsKey(tick.symbol())) {
      last[0] = tick.updateId() - 1;
      pending.put(tick.symbol(), tick);
      scheduleRetry();
    }
  }

  private void scheduleRetry() {
    if (retryTimer < 0 && !closed && !held) {
      retryTimer = vertx.setTimer(RETRY_MILLIS, id -> {
        retryTimer = -1;
        drainPending();
      });
    }
  }

  private void drainPending() {
    if (!tombstonesToSend.isEmpty()) {
      List<String> again = List.copyOf(tombstonesToSend);
      tombstonesToSend.clear();
      again.forEach(this::sendTombstone);
    }
    if (held) {
      return;
    }
    Iterator<BookTicker> it = pending.values().iterator();
    while (!closed && it.hasNext() && inFlightBytes.get() < maxInFlightBytes) {
      BookTicker tick = it.next();
      it.remove();
      long[] last = lastSent.get(tick.symbol());
      if (last != null && tick.updateId() <= last[0]) {
        duplicates.increment();
        continue;
      }
      send(tick, last);
    }
    if (!pending.isEmpty() || !tombstonesToSend.isEmpty()) {
      scheduleRetry();
    }
  }

  /** Stops sending and retrying; pending ticks are dropped (the process is stopping). */
  public void close() {
    closed = true;
    pending.clear();
    tombstonesToSend.clear();
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
    }
  }
}
