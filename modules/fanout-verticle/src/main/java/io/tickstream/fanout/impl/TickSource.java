package io.tickstream.fanout.impl;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.common.tick.MalformedTickException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The node's one Kafka consumer: group-less, assigned every partition of the topic, on a dedicated thread.
 *
 * <p>Why the plain {@link KafkaConsumer} and not the Vert.x wrapper: the wrapper hands records to a context at
 * most ten per task, runs assign/seek through its own poll loop (slow with kafka-clients 4.x) and calls
 * {@code committed()}, which hangs with kafka-clients 4.x. Here one thread polls, decodes, de-duplicates,
 * stamps {@code ft} and encodes, then hands each poll's ticks as one batch to every dispatcher: one task per
 * event loop per poll, whatever the number of records or connections.
 *
 * <p>Start-up: {@code partitionsFor} → {@code assign(all)} → {@code seekToBeginning}, and the end offsets
 * captured then. Until every partition's position reaches its captured end offset, ticks only rebuild the
 * per-symbol latest map (the compacted topic holds every symbol's last tick, however old); once caught up,
 * the whole map goes to the dispatchers as the snapshot batch and {@link #ready()} completes. Partitions added
 * to the topic later are not picked up (restart the node).
 *
 * <p>Threading: everything but {@link #start} and {@link #close} runs on the consumer thread; the per-symbol
 * map is that thread's alone. Hot path per record: the decoder's strings and tick, one {@link EncodedTick}
 * with two frames; nothing per connection.
 */
public final class TickSource implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TickSource.class);

  private final Map<String, Object> props;
  private final String topic;
  private final Duration pollTimeout;
  private final FanoutNode sink;
  private final NodeMetrics metrics;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final Map<String, EncodedTick> latest = new HashMap<>();
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private Thread thread;

  /**
   * @param sink receives each batch of accepted ticks on the consumer thread ({@link FanoutNode#publish})
   */
  public TickSource(Map<String, Object> clientProps, String topic, Duration pollTimeout,
                    FanoutNode sink, NodeMetrics metrics) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.props = p;
    this.topic = topic;
    this.pollTimeout = pollTimeout;
    this.sink = sink;
    this.metrics = metrics;
  }

  /** Completes once the snapshot is rebuilt and handed to the dispatchers; fails if the consumer dies first. */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  /** True while the consumer thread follows the topic. */
  public boolean following() {
    return ready.isDone() && !ready.isCompletedExceptionally() && running && thread.isAlive();
  }

  public void start() {
    thread = new Thread(this::run, "tickstream-fanout-kafka");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      consumer = c;
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : c.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(30));
      log.info("Rebuilding the snapshot of {} from {} partitions up to {}", topic, partitions.size(), end);
      boolean caughtUp = caughtUp(c, end);
      if (caughtUp) {
        publishSnapshot();
      }
      while (running) {
        ConsumerRecords<byte[], byte[]> records = c.poll(pollTimeout);
        List<EncodedTick> batch = caughtUp ? new ArrayList<>(records.count()) : null;
        long ft = NodeMetrics.nowMicros();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          EncodedTick t = accept(r, ft);
          if (t != null && batch != null) {
            batch.add(t);
          }
        }
        if (!caughtUp && caughtUp(c, end)) {
          caughtUp = true;
          publishSnapshot();
        } else if (batch != null && !batch.isEmpty()) {
          sink.publish(batch);
        }
      }
    } catch (WakeupException e) {
      // close() woke the poll: normal shutdown.
    } catch (Throwable e) {
      log.error("Kafka consumer of {} stopped", topic, e);
      ready.completeExceptionally(e);
    } finally {
      running = false;
      consumer = null;
    }
  }

  private void publishSnapshot() {
    log.info("Snapshot of {} symbols rebuilt; following the live end of {}", latest.size(), topic);
    sink.publish(new ArrayList<>(latest.values()));
    ready.complete(null);
  }

  private static boolean caughtUp(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Decodes once, drops a {@code u} not above the symbol's last, stamps and encodes; null if dropped. */
  private EncodedTick accept(ConsumerRecord<byte[], byte[]> r, long ftMicros) {
    BookTicker tick;
    try {
      tick = BookTickerDecoder.decode(r.value());
    } catch (MalformedTickException | RuntimeException e) {
      metrics.malformed.increment();
      log.debug("Skipping malformed record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      return null;
    }
    EncodedTick last = latest.get(tick.symbol());
    if (last != null && tick.updateId() <= last.updateId()) {
      metrics.staleDrops.increment();
      return null;
    }
    EncodedTick t = new EncodedTick(tick, ftMicros, encoder);
    latest.put(tick.symbol(), t);
    metrics.ticksIn.increment();
    return t;
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
