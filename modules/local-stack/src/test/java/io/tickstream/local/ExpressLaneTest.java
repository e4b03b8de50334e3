package io.tickstream.local;

import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.cluster.HazelcastCluster;
import io.tickstream.common.config.Config;
import io.tickstream.fanout.FanoutVerticle;
import io.tickstream.ingest.IngestVerticle;
import io.tickstream.kafka.broker.junit.BootstrapServers;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.tickstream.simulator.ExchangeSimulator;
import io.tickstream.simulator.SimulatorSettings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The express lane (issue 12) with real parts: a KRaft broker, the exchange simulator, and ingest and fanout nodes
 * each on a clustered Vert.x of its own (Hazelcast members on loopback, one cluster named for the test), WebSocket
 * clients over TCP. Ticks reach a client through the express lane, the client never sees a {@code u} twice or going
 * back while both copies arrive, and ticks keep coming through Kafka alone when a node has the lane off and when the
 * lane's publisher is gone.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ExpressLaneTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT");

  private final List<Vertx> nodes = new ArrayList<>();
  private Vertx local;
  private ExchangeSimulator simulator;
  private Config cluster;
  private int base;
  private String topic;

  @BeforeEach
  void start() throws Exception {
    local = Vertx.vertx();
    simulator = ExchangeSimulator.create(local, Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.SYMBOLS, SYMBOLS).with(SimulatorSettings.TICK_RATE, 600L)).start().await(20, TimeUnit.SECONDS);
    base = ThreadLocalRandom.current().nextInt(40_000, 50_000);
    topic = "express-" + base;
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      members.add("127.0.0.1:" + (base + i));
    }
    cluster = Config.defaults(ClusterSettings.ALL).with(ClusterSettings.NAME, "express-lane-" + base)
        .with(ClusterSettings.MEMBERS, members);
  }

  @AfterEach
  void stop() throws Exception {
    for (Vertx v : nodes) {
      v.close().await(30, TimeUnit.SECONDS);
    }
    simulator.close().await(10, TimeUnit.SECONDS);
    local.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void ticksArriveByTheExpressLaneWithoutRepeatOrRegressionAndByKafkaOnceItsPublisherIsGone(
      @BootstrapServers String kafka) throws Exception {
    Vertx expressIngestNode = member();
    String expressIngest = deployIngest(expressIngestNode, kafka, true);
    FanoutVerticle withExpress = deployFanout(member(), kafka, true);
    FanoutVerticle withoutExpress = deployFanout(member(), kafka, false);
    await().atMost(WAIT).until(() -> withExpress.ready() && withoutExpress.ready());

    Ticks express = subscribe(withExpress.actualPort());
    Ticks kafkaOnly = subscribe(withoutExpress.actualPort());

    // Both copies of the ticks reach the express node: the express lane's and Kafka's, the later one dropped.
    await().atMost(WAIT).until(() -> metric(withExpress, "tickstream_fanout_express_ticks_total") >= 300
        && metric(withExpress, "tickstream_fanout_late_copies_total") >= 300 && express.size() >= 300);
    // The client saw the ticks the express lane carried: its ft - pt is that lane's, and it got every u once.
    express.assertIncreasingPerSymbol();
    assertThat(express.symbols()).containsExactlyInAnyOrderElementsOf(SYMBOLS);

    // A node with the lane off takes nothing from it and still delivers everything, from Kafka.
    await().atMost(WAIT).until(() -> kafkaOnly.size() >= 300);
    assertThat(metric(withoutExpress, "tickstream_fanout_express_ticks_total")).isZero();
    assertThat(metric(withoutExpress, "tickstream_fanout_late_copies_total")).isZero();
    kafkaOnly.assertIncreasingPerSymbol();

    // The publisher goes: a node without the lane takes the chunks over, the express one leaves.
    deployIngest(member(), kafka, false);
    expressIngestNode.undeploy(expressIngest).await(60, TimeUnit.SECONDS);
    double expressAfter = metric(withExpress, "tickstream_fanout_express_ticks_total");
    int seenAfter = express.size();
    Map<String, Long> lastBefore = express.lastPerSymbol();
    await().atMost(WAIT).until(() -> express.size() >= seenAfter + 300
        && express.lastPerSymbol().entrySet().stream().allMatch(e -> e.getValue() > lastBefore.get(e.getKey())));
    assertThat(metric(withExpress, "tickstream_fanout_express_ticks_total"))
        .as("express ticks after the publisher left").isEqualTo(expressAfter);
    express.assertIncreasingPerSymbol();
    kafkaOnly.assertIncreasingPerSymbol();
  }

  private Vertx member() throws Exception {
    Vertx vertx = HazelcastCluster.vertx(cluster.with(ClusterSettings.PORT, base + nodes.size()), new VertxOptions())
        .await(60, TimeUnit.SECONDS);
    nodes.add(vertx);
    return vertx;
  }

  private String deployIngest(Vertx vertx, String kafka, boolean express) throws Exception {
    JsonObject config = new JsonObject()
        .put("ingest.rest-url", simulator.restUrl())
        .put("ingest.ws-url", simulator.wsUrl())
        .put("ingest.admin-port", 0)
        .put("ingest.chunk-size", 3)
        .put("ingest.express", express)
        .put("ingest.reconnect-base-delay", "50ms")
        .put("kafka.bootstrap-servers", new JsonArray().add(kafka))
        .put("topic.name", topic)
        .put("topic.partitions", 2);
    return vertx.deployVerticle(new IngestVerticle(), new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
  }

  private FanoutVerticle deployFanout(Vertx vertx, String kafka, boolean express) throws Exception {
    JsonObject config = new JsonObject()
        .put("kafka.bootstrap-servers", new JsonArray().add(kafka))
        .put("topic.name", topic)
        .put("topic.partitions", 2)
        .put("fanout.port", 0)
        .put("fanout.admin-port", 0)
        .put("fanout.instances", 2)
        .put("fanout.drain-window", "100ms")
        .put("fanout.rebalance.enabled", false)
        .put("fanout.express", express);
    FanoutVerticle fanout = new FanoutVerticle();
    vertx.deployVerticle(fanout, new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
    return fanout;
  }

  /** A counter of the node's {@code /metrics}, 0 if absent. */
  private double metric(FanoutVerticle fanout, String name) throws Exception {
    String body = local.createHttpClient().request(HttpMethod.GET, fanout.adminPort(), "127.0.0.1", "/metrics")
        .compose(r -> r.send().compose(resp -> resp.body())).await(10, TimeUnit.SECONDS).toString();
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }

  /** A combined-stream client of every symbol, with the handlers set before the upgrade so nothing is missed. */
  private Ticks subscribe(int port) {
    Ticks ticks = new Ticks();
    String streams = String.join("/", SYMBOLS.stream().map(s -> s.toLowerCase() + "@bookTicker").toList());
    await().atMost(WAIT).ignoreExceptions().until(() -> {
      ClientWebSocket ws = local.createWebSocketClient().webSocket();
      ws.textMessageHandler(text -> {
        JsonObject data = new JsonObject(text).getJsonObject("data");
        if (data != null && data.containsKey("u")) {
          ticks.add(data.getString("s"), data.getLong("u"));
        }
      });
      return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setURI("/stream?streams=" + streams)).await(10, TimeUnit.SECONDS);
    }, ws -> ws != null);
    return ticks;
  }

  /** What one client received, in order. */
  private static final class Ticks {
    private final List<String> symbols = new CopyOnWriteArrayList<>();
    private final List<Long> us = new CopyOnWriteArrayList<>();

    synchronized void add(String symbol, long u) {
      symbols.add(symbol);
      us.add(u);
    }

    synchronized int size() {
      return us.size();
    }

    synchronized java.util.Set<String> symbols() {
      return new java.util.HashSet<>(symbols);
    }

    synchronized Map<String, Long> lastPerSymbol() {
      Map<String, Long> last = new HashMap<>();
      for (int i = 0; i < us.size(); i++) {
        last.put(symbols.get(i), us.get(i));
      }
      return last;
    }

    /** Per symbol, every {@code u} above the one before: no copy delivered twice, none older after a newer one. */
    synchronized void assertIncreasingPerSymbol() {
      Map<String, Long> last = new HashMap<>();
      for (int i = 0; i < us.size(); i++) {
        Long previous = last.put(symbols.get(i), us.get(i));
        if (previous != null) {
          assertThat(us.get(i)).as("u of %s after %s (message %s)", symbols.get(i), previous, i).isGreaterThan(previous);
        }
      }
    }
  }
}
