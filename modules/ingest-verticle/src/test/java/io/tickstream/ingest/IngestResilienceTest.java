package io.tickstream.ingest;

import io.tickstream.common.tick.EpochMicros;
import io.tickstream.kafka.broker.junit.BootstrapServers;
import io.tickstream.simulator.SimulatorFaults.MalformedFrame;
import io.tickstream.simulator.SimulatorSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The ingest against an exchange that drops, stalls, rotates, announces maintenance and sends garbage. */
class IngestResilienceTest extends IngestTestSupport {

  private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT");

  @Test
  void droppedConnectionsComeBackAndResumeWithoutUpdateIdRegression(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(SYMBOLS, 500));
    deployIngest(ingestConfig(kafka).put("ingest.chunk-size", 2));
    awaitReady();
    TopicReader topic = reader(kafka);
    await().atMost(WAIT).until(() -> topic.poll() >= 100);

    int dropped = simulator.faults().dropConnections().await(5, TimeUnit.SECONDS);
    int chunks = chunksOf(SYMBOLS, 2);
    assertThat(dropped).isEqualTo(chunks);
    long afterDrop = EpochMicros.now();

    await().atMost(WAIT).until(() -> count(IngestMetrics.RECONNECTS, "cause", "closed") >= chunks && ingest.isReady());
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return SYMBOLS.stream().allMatch(s -> topic.countAfter(s, afterDrop) >= 5);
    });
    topic.assertNoUpdateIdRegression();
    assertThat(simulator.connectionCount().await(5, TimeUnit.SECONDS)).isEqualTo(chunks);
  }

  @Test
  void stalledConnectionIsReplacedByTheWatchdog(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(SYMBOLS, 500));
    deployIngest(ingestConfig(kafka).put("ingest.watchdog-timeout", "1s"));
    awaitReady();
    TopicReader topic = reader(kafka);

    simulator.faults().stallConnections().await(5, TimeUnit.SECONDS);
    long afterStall = EpochMicros.now();
    await().atMost(WAIT).until(() -> count(IngestMetrics.RECONNECTS, "cause", "watchdog") >= 1);
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return topic.totalAfter(afterStall) >= 50;
    });
    topic.assertNoUpdateIdRegression();
    // The stalled connection was closed once its successor streamed: one connection remains.
    await().atMost(WAIT).until(() -> simulator.connectionCount().await(5, TimeUnit.SECONDS) == 1);
  }

  @Test
  void lifetimeClosesAndServerShutdownLoseNoTickAndRepeatNone(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(SYMBOLS, 300).with(SimulatorSettings.MAX_LIFETIME, Duration.ofSeconds(3)));
    deployIngest(ingestConfig(kafka).put("ingest.connection-max-age", "1500ms"));
    awaitReady();
    TopicReader topic = reader(kafka);

    await().atMost(WAIT).until(() -> count(IngestMetrics.RECONNECTS, "cause", "max-age") >= 3);
    // The exchange closes every notified connection 500 ms after its notice.
    simulator.serverShutdown(Duration.ofMillis(500)).await(5, TimeUnit.SECONDS);
    // The notice may reach a connection whose max-age successor is already on its way: that successor serves.
    await().atMost(WAIT).until(() -> count(IngestMetrics.SERVER_SHUTDOWNS) >= 1);
    await().atMost(WAIT).until(() -> simulator.connectionCount().await(5, TimeUnit.SECONDS) == 1
        && count(IngestMetrics.RECONNECTS, "cause", "max-age") + count(IngestMetrics.RECONNECTS, "cause", "server-shutdown") >= 4);
    long afterShutdown = EpochMicros.now();
    await().atMost(WAIT).until(() -> {
      topic.poll();
      // About 60 ticks/s per symbol: 100 each outlasts the exchange's close of the notified connections.
      return SYMBOLS.stream().allMatch(s -> topic.countAfter(s, afterShutdown) >= 100);
    });

    // The simulator's u advances by exactly one per tick of a symbol: any loss or repeat shows as a step != 1.
    assertThat(count(IngestMetrics.DROPS, "reason", "conflated")).as("no conflation, or gaps would be expected").isZero();
    topic.assertConsecutiveUpdateIds();
    assertThat(count(IngestMetrics.RECONNECTS, "cause", "closed")).as("no connection ended before its successor streamed").isZero();
    assertThat(count(IngestMetrics.DROPS, "reason", "duplicate")).as("the overlaps were real").isPositive();
  }

  @Test
  void malformedFramesAreCountedWhileGoodOnesFlow(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(SYMBOLS, 500));
    deployIngest(ingestConfig(kafka));
    awaitReady();
    TopicReader topic = reader(kafka);

    simulator.faults().sendMalformedFrames(5, MalformedFrame.GARBAGE).await(5, TimeUnit.SECONDS);
    simulator.faults().sendMalformedFrames(5, MalformedFrame.TRUNCATED_JSON).await(5, TimeUnit.SECONDS);
    simulator.faults().sendMalformedFrames(5, MalformedFrame.WRONG_TYPE).await(5, TimeUnit.SECONDS);
    long afterFaults = EpochMicros.now();

    await().atMost(WAIT).until(() -> count(IngestMetrics.DROPS, "reason", "invalid-json") >= 10
        && count(IngestMetrics.DROPS, "reason", "invalid-field") >= 5);
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return topic.totalAfter(afterFaults) >= 50;
    });
    assertThat(count(IngestMetrics.RECONNECTS)).isZero();
    assertThat(ingest.isReady()).isTrue();
    topic.assertNoUpdateIdRegression();
  }

  @Test
  void rateLimitedConnectionAttemptsWaitForRetryAfter(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(SYMBOLS, 300)
        .with(SimulatorSettings.MAX_CONNECT_ATTEMPTS, 2)
        .with(SimulatorSettings.CONNECT_ATTEMPT_WINDOW, Duration.ofSeconds(2)));
    // Five chunks need five connections: the exchange lets two through per two seconds and answers 429.
    deployIngest(ingestConfig(kafka).put("ingest.chunk-size", 1));
    awaitReady();

    assertThat(count(IngestMetrics.RECONNECTS, "cause", "rejected")).isPositive();
    assertThat(simulator.connectionCount().await(5, TimeUnit.SECONDS)).isEqualTo(5);
  }
}
