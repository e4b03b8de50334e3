package io.tickstream.ingest;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads a topic from the beginning with a group-less consumer, as a fanout node does, and keeps every tick
 * per symbol in partition order (which, with the symbol as key, is the order the ingest sent them).
 * Used from the test thread only.
 */
final class TopicReader implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Map<String, List<BookTicker>> bySymbol = new LinkedHashMap<>();
  private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
  private final Map<String, List<ConsumerRecord<String, byte[]>>> tombstones = new LinkedHashMap<>();

  TopicReader(String bootstrapServers, String topic) {
    this.topic = topic;
    this.consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers), new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  /** Polls once (assigning every partition on first use) and returns the number of records read so far. */
  int poll() throws Exception {
    if (consumer.assignment().isEmpty()) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos == null || infos.isEmpty()) {
        return 0;
      }
      List<TopicPartition> all = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(all);
      consumer.seekToBeginning(all);
    }
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
      if (r.value() == null) {
        // A tombstone: the ingest's way of saying the symbol is no longer listed.
        records.add(r);
        tombstones.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
        continue;
      }
      BookTicker tick = BookTickerDecoder.decode(r.value());
      assertThat(r.key()).as("record key").isEqualTo(tick.symbol());
      assertThat(tick.hasReceiveTime()).as("pt present").isTrue();
      assertThat(r.timestamp()).as("record timestamp is pt in ms").isEqualTo(tick.receiveTimeMicros() / 1000);
      records.add(r);
      bySymbol.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(tick);
    }
    return records.size();
  }

  Map<String, List<BookTicker>> bySymbol() {
    return bySymbol;
  }

  /** Tombstones (null value) of {@code symbol}, in partition order. */
  List<ConsumerRecord<String, byte[]>> tombstones(String symbol) {
    return tombstones.getOrDefault(symbol, List.of());
  }

  /** The records of {@code symbol} (ticks and tombstones), in partition order. */
  List<ConsumerRecord<String, byte[]>> recordsOf(String symbol) {
    return records.stream().filter(r -> symbol.equals(r.key())).toList();
  }

  List<ConsumerRecord<String, byte[]>> records() {
    return records;
  }

  /** Ticks of {@code symbol} whose pt is after {@code micros}. */
  long countAfter(String symbol, long micros) {
    return bySymbol.getOrDefault(symbol, List.of()).stream().filter(t -> t.receiveTimeMicros() > micros).count();
  }

  long totalAfter(long micros) {
    return bySymbol.values().stream().flatMap(List::stream).filter(t -> t.receiveTimeMicros() > micros).count();
  }

  /** Per symbol, every {@code u} is above the one before: no duplicate, no step back. */
  void assertNoUpdateIdRegression() {
    bySymbol.forEach((symbol, ticks) -> {
      for (int i = 1; i < ticks.size(); i++) {
        assertThat(ticks.get(i).updateId()).as("u of %s at #%d", symbol, i).isGreaterThan(ticks.get(i - 1).updateId());
      }
    });
  }

  /** Per symbol, every {@code u} is exactly one above the one before: nothing lost, nothing repeated. */
  void assertConsecutiveUpdateIds() {
    bySymbol.forEach((symbol, ticks) -> {
      for (int i = 1; i < ticks.size(); i++) {
        assertThat(ticks.get(i).updateId()).as("u of %s at #%d (gap or duplicate)", symbol, i)
            .isEqualTo(ticks.get(i - 1).updateId() + 1);
      }
    });
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
