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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
  /** The node's admin port, where its /metrics is. */
  private int adminPort;

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
    // No stalled-percent: nothing stalls, and the summary has no line about it.
    assertThat(report.stalled().connections()).isZero();
    assertThat(json.getJsonObject("stalled").getLong("planned")).isZero();
    assertThat(report.summary()).doesNotContain("stalled");
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

  /**
   * Scenario 4 of the benchmarks: half the connections stop reading after their first tick, against a node with
   * small socket buffers and a short grace period, fed fast. The node must see those connections' buffers fill
   * (its slow-client closes, read from its /metrics, reach their number: only TCP backpressure gets it there)
   * and close them with 1013, while the healthy half still gets every tick; the report keeps the two apart.
   */
  @Test
  void connectionsThatStopReadingAreClosedByTheNodeAndReportedApartFromTheHealthyOnes(@TempDir Path dir)
      throws Exception {
    LoadReport report = stallHalf(false, 2, dir.resolve("report.json"));
    assertThat(report.summary()).contains("stalled (50% = 5 connections", "5 stopped reading after 5 ticks",
        "5 closed by server {");
  }

  /**
   * The isolation scenario of issue 12: connections of {@code !bookTicker} (every symbol on one stream, so a stalled
   * one's socket fills fastest), half of them stalled; the same accounting as per-symbol connections.
   */
  @Test
  void bookTickerConnectionsThatStopReadingAreClosedByTheNodeAndTheOthersGetEverySymbol(@TempDir Path dir)
      throws Exception {
    LoadReport report = stallHalf(true, SYMBOLS.size(), dir.resolve("report.json"));
    assertThat(report.symbolsPerConnection()).isEqualTo(SYMBOLS.size());
  }

  /**
   * Half the connections stop reading after their first tick, against a node with small socket buffers and a short
   * grace period, fed fast. The node must see those connections' buffers fill (its slow-client closes, read from its
   * /metrics, reach their number: only TCP backpressure gets it there) and close them with 1013, while the healthy
   * half still gets every tick; the report keeps the two apart.
   */
  private LoadReport stallHalf(boolean allSymbols, int symbols, Path json) throws Exception {
    startNode(new JsonObject().put("fanout.send-buffer-bytes", 4096).put("fanout.slow-client-grace", "1s"));
    int connections = 10;
    Config config = configFor("raw", connections, symbols, List.of(), json)
        .with(LoadGenSettings.ALL_SYMBOLS, allSymbols)
        .with(LoadGenSettings.STALLED_PERCENT, 50.0).with(LoadGenSettings.DURATION, Duration.ofSeconds(20));
    LoadGenerator generator = new LoadGenerator(config, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8));
    CompletableFuture<LoadReport> run = runInBackground(generator);
    int stalled = connections / 2;
    long healthySubscriptions = (long) (connections - stalled) * symbols;
    await().atMost(Duration.ofSeconds(20)).until(() -> generator.ticksReceived() == healthySubscriptions
        && generator.stalledConnections() == stalled || run.isDone());
    assertThat(run).as("the run outlived the set-up").isNotDone();

    // Feed the node until it has cut every stalled connection: 200 ticks of every symbol a round.
    HttpClient http = HttpClient.newHttpClient();
    AtomicLong lastU = new AtomicLong(1);
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      for (long u = lastU.get() + 1; u <= lastU.get() + 200; u++) {
        for (String s : SYMBOLS) {
          send(s, u);
        }
      }
      lastU.addAndGet(200);
      producer.flush();
      return slowClientCloses(http) >= stalled || run.isDone();
    });
    assertThat(run).as("the node cut the stalled connections before the run ended").isNotDone();
    assertThat(slowClientCloses(http)).isEqualTo(stalled);

    LoadReport report = run.get(60, TimeUnit.SECONDS);
    LoadReport.Stalled apart = report.stalled();
    assertThat(apart.planned()).isEqualTo(stalled);
    assertThat(apart.connections()).isEqualTo(stalled);
    assertThat(apart.ticksBeforeStalling()).isEqualTo(stalled);
    // The node closed every one with 1013 (its counter, above). What the client can see of it depends on timing: the
    // close frame if it reads before the node gives up on delivering it, else the reset the node sends 10 s after
    // the close (1006: no close frame), since a client that never reads cannot take the frame.
    assertThat(apart.closedByServer()).isEqualTo(stalled);
    assertThat(apart.closesByCode().keySet()).isSubsetOf(1013, 1006);
    // The healthy connections: never closed, every produced tick delivered or conflated, and only theirs counted.
    assertThat(report.connectionsOpened()).isEqualTo(connections);
    assertThat(report.connectionsWithTicks()).isEqualTo(connections);
    assertThat(report.closesByCode()).isEmpty();
    assertThat(report.snapshots()).isEqualTo(healthySubscriptions);
    assertThat(report.latencySamples() + report.conflated()).as("live ticks delivered + conflated, healthy only")
        .isEqualTo(healthySubscriptions * (lastU.get() - 1));
    assertThat(report.ticks()).isEqualTo(report.snapshots() + report.latencySamples());
    assertThat(report.notAdvanced()).isZero();
    assertThat(report.otherMessages()).isZero();
    JsonObject stalledJson = new JsonObject(Files.readString(json)).getJsonObject("stalled");
    assertThat(stalledJson.getLong("connections")).isEqualTo(stalled);
    assertThat(stalledJson.getLong("closedByServer")).isEqualTo(stalled);
    JsonObject codes = stalledJson.getJsonObject("closesByCode");
    assertThat(codes.getLong("1013", 0L) + codes.getLong("1006", 0L)).isEqualTo(stalled);
    return report;
  }

  @Test
  void aNonLocalTargetIsRefusedBeforeAnythingConnects() {
    Config config = Config.defaults(LoadGenSettings.ALL).with(LoadGenSettings.URL, "ws://203.0.113.7:8080");
    assertThatThrownBy(() -> new LoadGenerator(config, System.out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a loopback or private address");
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
    startNode(new JsonObject());
    Config config = configFor(mode, connections, symbols, sourceAddresses, json);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    LoadGenerator generator = new LoadGenerator(config, new PrintStream(progress, true, StandardCharsets.UTF_8));
    CompletableFuture<LoadReport> run = runInBackground(generator);
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

  private Config configFor(String mode, int connections, int symbols, List<String> sourceAddresses, Path json) {
    return Config.defaults(LoadGenSettings.ALL)
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
  }

  private static CompletableFuture<LoadReport> runInBackground(LoadGenerator generator) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return generator.run();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  /** The node's count of connections it closed with 1013, from its /metrics, as an operator would read it. */
  private long slowClientCloses(HttpClient http) throws Exception {
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines().filter(l -> l.startsWith("tickstream_fanout_slow_client_closes_total"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** Starts a fanout node with the test defaults and {@code settings} on top. */
  private void startNode(JsonObject settings) throws Exception {
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
        .put("fanout.port", 0).put("fanout.admin-port", 0).put("fanout.instances", 2).mergeIn(settings)))
        .await(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(node::ready);
    port = node.actualPort();
    adminPort = node.adminPort();
  }

  /** A tick stamped now, as the ingest would. */
  private void send(String symbol, long u) {
    BookTicker t = new BookTicker(u, symbol, "25.35190000", "31.21000000", "25.36520000", "40.66000000",
        EpochMicros.now());
    producer.send(new ProducerRecord<>(topic, symbol, encoder.recordValue(t)));
  }
}
