package io.tickstream.ingest;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.kafka.broker.junit.BootstrapServers;
import io.tickstream.simulator.SymbolStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10: a symbol the exchange stops listing as TRADING ends in the topic with a tombstone (key = symbol, null
 * value), so compaction forgets it; listed again, it flows again after its tombstone.
 */
class IngestDelistingTest extends IngestTestSupport {

  private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT");

  @Test
  void haltedSymbolEndsWithOneTombstoneWhileTheOthersGoOn(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(SYMBOLS, 200));
    deployIngest(ingestConfig(kafka).put("ingest.symbol-refresh-interval", "200ms"));
    awaitReady();
    TopicReader topic = reader(kafka);
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return topic.bySymbol().getOrDefault("ETHUSDT", List.of()).size() >= 5;
    });

    simulator.putSymbol("ETHUSDT", SymbolStatus.HALT).await(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return !topic.tombstones("ETHUSDT").isEmpty();
    });
    // Let BTCUSDT go on for a while: a late ETHUSDT tick or a second tombstone would show up meanwhile.
    long afterTombstone = EpochMicros.now();
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return topic.countAfter("BTCUSDT", afterTombstone) >= 50;
    });

    List<ConsumerRecord<String, byte[]>> eth = topic.recordsOf("ETHUSDT");
    assertThat(eth.getLast().value()).as("ETHUSDT's last record is its tombstone").isNull();
    assertThat(topic.tombstones("ETHUSDT")).hasSize(1);
    assertThat(topic.tombstones("BTCUSDT")).isEmpty();
    assertThat(count(IngestMetrics.TOMBSTONES)).isEqualTo(1);
    assertThat(gauge(IngestMetrics.SYMBOLS)).isEqualTo(1);
    assertThat(count(IngestMetrics.RECONNECTS)).isZero();
    topic.assertNoUpdateIdRegression();
  }

  @Test
  void symbolTradingAgainFlowsAfterItsTombstoneWithAHigherU(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(SYMBOLS, 200));
    deployIngest(ingestConfig(kafka).put("ingest.symbol-refresh-interval", "200ms"));
    awaitReady();
    TopicReader topic = reader(kafka);
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return topic.bySymbol().containsKey("ETHUSDT");
    });
    simulator.putSymbol("ETHUSDT", SymbolStatus.HALT).await(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return !topic.tombstones("ETHUSDT").isEmpty();
    });
    long lastBefore = topic.bySymbol().get("ETHUSDT").getLast().updateId();

    simulator.putSymbol("ETHUSDT", SymbolStatus.TRADING).await(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return topic.recordsOf("ETHUSDT").getLast().value() != null;
    });

    List<ConsumerRecord<String, byte[]>> eth = topic.recordsOf("ETHUSDT");
    BookTicker relisted = BookTickerDecoder.decode(eth.getLast().value());
    assertThat(relisted.updateId()).isGreaterThan(lastBefore);
    assertThat(topic.tombstones("ETHUSDT")).hasSize(1);
    topic.assertNoUpdateIdRegression();
  }
}
