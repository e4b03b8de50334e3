package io.tickstream.loadgen;

import io.tickstream.common.config.Config;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.fanout.FanoutVerticle;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The load generator against a real fanout node fed from the shared test broker: it talks to the node over the
 * wire only, as in production; the node is here only to be loaded.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LoadGeneratorTest {

  private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT");
  /** Live ticks produced per symbol once every connection is open. */
  private static final int LIVE_TICKS = 100;

  private final Vertx vertx = Vertx.vertx();
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  private KafkaProducer<String, byte[]> producer;
  private String topic;
  private int port;

  @AfterEach
  void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    vertx.close().await();
  }

  @Test
  void fiftyRawConnectionsOfThreeSymbolsEachGetEveryProducedTickAndALatencyReport(@TempDir Path dir) throws Exception {
    LoadReport report = runAgainstNode("raw", 50, 3, dir.resolve("report.json"));

    assertThat(report.connectionsOpened()).isEqualTo(50);
    assertThat(report.connectionsWithTicks()).isEqualTo(50);
    JsonObject json = new JsonObject(Files.readString(dir.resolve("report.json")));
    assertThat(json.getLong("ticks")).isEqualTo(report.ticks());
    assertThat(json.getLong("conflatedUpdates")).isEqualTo(report.conflated());
    assertThat(json.getLong("connectErrors")).isZero();
    JsonObject latency = json.getJsonObject("latencyMicros");
    assertThat(latency.getLong("samples")).isEqualTo(report.latencySamples());
    for (String field : List.of("p50", "p99", "p99.9", "max")) {
      assertThat(latency.getLong(field)).as(field).isPositive();
    }
    assertThat(latency.getJsonArray("percentiles")).isNotEmpty();
    assertThat(json.getDouble("messagesPerSecond")).isPositive();
    assertThat(json.getJsonObject("steadyLatencyMicros").getLong("samples")).isBetween(0L, report.latencySamples());
    JsonObject fanoutShare = json.getJsonObject("fanoutToClientMicros");
    assertThat(fanoutShare.getLong("samples")).isEqualTo(report.latencySamples());
    assertThat(fanoutShare.getLong("max")).isLessThanOrEqualTo(latency.getLong("max"));
  }

  @Test
  void combinedConnectionsFromSeveralSourceAddressesCountEveryProducedTick(@TempDir Path dir) throws Exception {
    LoadReport report = runAgainstNode("combined", 10, 2, List.of("127.0.0.2-127.0.0.4"), dir.resolve("report.json"));
    assertThat(report.connectionsWithTicks()).isEqualTo(10);
  }

  @Test
  void sockJSConnectionsSubscribeAndCountEveryProducedTick(@TempDir Path dir) throws Exception {
    LoadReport report = runAgainstNode("sockjs", 10, 2, dir.resolve("report.json"));
    assertThat(report.connectionsWithTicks()).isEqualTo(10);
  }

  @Test
  void aNonLoopbackTargetIsRefusedBeforeAnythingConnects() {
    Config config = Config.defaults(LoadGenSettings.ALL).with(LoadGenSettings.URL, "ws://10.1.2.3:8080");
    assertThatThrownBy(() -> new LoadGenerator(config, System.out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a loopback address");
    Config source = Config.defaults(LoadGenSettings.ALL).with(LoadGenSettings.SOURCE_ADDRESSES, List.of("192.168.0.1"));
    assertThatThrownBy(() -> new LoadGenerator(source, System.out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a loopback address");
  }

  @Test
  void aRunIsAlwaysBoundedInTime() {
    Config endless = Config.defaults(LoadGenSettings.ALL).with(LoadGenSettings.DURATION, Duration.ofDays(2));
    assertThatThrownBy(() -> new LoadGenerator(endless, System.out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loadgen.duration");
    Config none = Config.defaults(LoadGenSettings.ALL).with(LoadGenSettings.DURATION, Duration.ZERO);
    assertThatThrownBy(() -> new LoadGenerator(none, System.out)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Starts a node knowing {@link #SYMBOLS} (one tick each), runs the load generator, which learns the symbols
   * through its probe, and once every connection is open produces {@link #LIVE_TICKS} more per symbol. Checks
   * the counts every mode must get right: one snapshot per subscription, then every produced tick either
   * delivered (one latency sample) or counted as conflated.
   */
  private LoadReport runAgainstNode(String mode, int connections, int symbols, Path json) throws Exception {
    return runAgainstNode(mode, connections, symbols, List.of(), json);
  }

  private LoadReport runAgainstNode(String mode, int connections, int symbols, List<String> sourceAddresses, Path json)
      throws Exception {
    startNode();
    Config config = Config.defaults(LoadGenSettings.ALL)
        .with(LoadGenSettings.URL, "ws://127.0.0.1:" + port)
        .with(LoadGenSettings.MODE, mode)
        .with(LoadGenSettings.CONNECTIONS, connections)
        .with(LoadGenSettings.SYMBOLS, symbols)
        .with(LoadGenSettings.RAMP_RATE, 500)
        .with(LoadGenSettings.PROBE_TIME, Duration.ofMillis(500))
        .with(LoadGenSettings.DURATION, Duration.ofSeconds(8))
        .with(LoadGenSettings.EVENT_LOOPS, 2)
        .with(LoadGenSettings.SOURCE_ADDRESSES, sourceAddresses)
        .with(LoadGenSettings.JSON_OUT, json.toString());
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    LoadGenerator generator = new LoadGenerator(config, new PrintStream(progress, true, StandardCharsets.UTF_8));
    CompletableFuture<LoadReport> run = CompletableFuture.supplyAsync(() -> {
      try {
        return generator.run();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    long subscriptions = (long) connections * symbols;
    // Every subscription has its snapshot: the node has registered them all, so no live tick can be missed.
    await().atMost(Duration.ofSeconds(20)).until(() -> generator.ticksReceived() == subscriptions || run.isDone());
    for (long u = 2; u <= LIVE_TICKS + 1; u++) {
      for (String s : SYMBOLS) {
        send(s, u);
      }
    }
    producer.flush();
    LoadReport report = run.get(60, TimeUnit.SECONDS);
    assertThat(generator.jsonPath()).isEqualTo(json).exists();
    assertThat(report.connectErrors()).isZero();
    assertThat(report.snapshots()).isEqualTo(subscriptions);
    assertThat(report.latencySamples() + report.conflated()).as("live ticks delivered + conflated")
        .isEqualTo(subscriptions * LIVE_TICKS);
    assertThat(report.ticks()).isEqualTo(report.snapshots() + report.latencySamples());
    assertThat(report.notAdvanced()).isZero();
    assertThat(report.latencySamples()).isPositive();
    assertThat(report.percentileMicros(50)).isLessThanOrEqualTo(report.maxMicros());
    assertThat(report.summary()).contains("p50 ", "p99 ", "p99.9 ", "max ").containsPattern("max [0-9.]+ (µs|ms)");
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("open=" + connections);
    return report;
  }

  private void startNode() throws Exception {
    String servers = KafkaBrokerExtension.bootstrapServers();
    topic = "loadgen-" + System.nanoTime();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
          .all().get(30, TimeUnit.SECONDS);
    }
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", servers, "linger.ms", 0, "acks", "all",
        "enable.idempotence", false, "max.in.flight.requests.per.connection", 1),
        new StringSerializer(), new ByteArraySerializer());
    await().atMost(Duration.ofSeconds(30)).until(() ->
        producer.partitionsFor(topic).stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
    for (String s : SYMBOLS) {
      send(s, 1);
    }
    producer.flush();
    FanoutVerticle node = new FanoutVerticle();
    vertx.deployVerticle(node, new DeploymentOptions().setConfig(new JsonObject()
        .put("kafka.bootstrap-servers", servers).put("topic.name", topic).put("topic.partitions", 3)
        .put("fanout.port", 0).put("fanout.instances", 2))).await(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(node::ready);
    port = node.actualPort();
  }

  /** A tick stamped now, as the ingest would. */
  private void send(String symbol, long u) {
    BookTicker t = new BookTicker(u, symbol, "25.35190000", "31.21000000", "25.36520000", "40.66000000",
        EpochMicros.now());
    producer.send(new ProducerRecord<>(topic, symbol, encoder.recordValue(t)));
  }
}
