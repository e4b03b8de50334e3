package io.tickstream.ingest;

import io.tickstream.common.tick.EpochMicros;
import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka stopped under a running ingest and started again. This test has a broker of its own (on fixed ports
 * and a kept log directory, so it can come back as the same broker); the shared one stays untouched.
 */
class IngestKafkaOutageTest extends IngestTestSupport {

  private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT",
      "ADAUSDT", "DOGEUSDT", "TRXUSDT");

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static EmbeddedKafkaBroker broker(int port, int controllerPort, Path dir) {
    return EmbeddedKafkaBroker.builder().port(port).controllerPort(controllerPort).logDir(dir).build().start();
  }

  @Test
  void brokerStoppedAndRestartedMidStream_ingestKeepsReadingWithBoundedMemoryAndResumes(@TempDir Path dir) throws Exception {
    int port = freePort();
    int controllerPort = freePort();
    EmbeddedKafkaBroker kafka = broker(port, controllerPort, dir);
    startSimulator(simulatorConfig(SYMBOLS, 1_000));
    // A small producer buffer, so the outage fills it quickly and conflation shows.
    deployIngest(ingestConfig(kafka.bootstrapServers()).put("ingest.kafka.buffer-memory", 1 << 20));
    awaitReady();
    TopicReader topic = reader(kafka.bootstrapServers());
    await().atMost(WAIT).until(() -> topic.poll() >= 500);

    kafka.close();
    double framesAtStop = count(IngestMetrics.FRAMES_IN);
    double expressAtStop = count(IngestMetrics.EXPRESS_TICKS);
    // The exchange is still read while Kafka is away, and what cannot be sent is conflated.
    await().atMost(WAIT).until(() -> count(IngestMetrics.FRAMES_IN) > framesAtStop + 3_000
        && count(IngestMetrics.DROPS, "reason", "conflated") > 1_000);
    // The express lane carries each tick once, however often Kafka rejects it: retried every few milliseconds, the
    // same pending ticks were published again each time (8 symbols: about 1,600 a second, here more than the
    // exchange's 1,000; with 2,000 symbols every fanout was flooded with hundreds of MB/s). At most the ticks read
    // meanwhile, plus one per symbol that was already pending at the stop.
    assertThat(count(IngestMetrics.EXPRESS_TICKS) - expressAtStop).as("express-lane ticks during the outage")
        .isLessThanOrEqualTo(count(IngestMetrics.FRAMES_IN) - framesAtStop + SYMBOLS.size());
    assertThat(gauge(IngestMetrics.PENDING)).as("at most one pending tick per symbol").isLessThanOrEqualTo(SYMBOLS.size());
    assertThat(ingest.isReady()).as("the exchange side stays up").isTrue();

    EmbeddedKafkaBroker restarted = broker(port, controllerPort, dir);
    closeAfter(restarted);
    long afterRestart = EpochMicros.now();
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return SYMBOLS.stream().allMatch(s -> topic.countAfter(s, afterRestart) >= 3);
    });
    topic.assertNoUpdateIdRegression();
  }
}
