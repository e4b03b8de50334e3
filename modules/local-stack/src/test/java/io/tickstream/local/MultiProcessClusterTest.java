package io.tickstream.local;

import io.tickstream.common.config.Config;
import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import io.tickstream.simulator.ExchangeSimulator;
import io.tickstream.simulator.SimulatorSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two fanout nodes and an ingest as separate processes on loopback form one cluster, both fanout nodes serve
 * the same ticks, and after one is SIGKILLed the other keeps serving with {@code /cluster} updated. Each process
 * is started the way its jar starts it: {@code RoleApplication}, the Vert.x launcher main, with the verticle.
 *
 * <p>Starts three JVMs (about 30 s on two cores); it is tagged, so {@code -DexcludedGroups=multiprocess} leaves it
 * out of a quick run.
 */
@Tag("multiprocess")
class MultiProcessClusterTest {

  /**
   * The module flags this test JVM got from the pom's one list ({@code <jvm.add-opens>}, {@code <jvm.add-exports>}),
   * handed to the processes it starts: {@code -cp} launches do not read the role jars' manifests.
   */
  private static final List<String> JVM_OPENS = java.lang.management.ManagementFactory.getRuntimeMXBean()
      .getInputArguments().stream().filter(a -> a.startsWith("--add-opens=") || a.startsWith("--add-exports=")).toList();

  private static EmbeddedKafkaBroker broker;
  private static ExchangeSimulator simulator;
  private static final List<Process> processes = new ArrayList<>();
  private static final Vertx client = Vertx.vertx();
  private static final List<WebSocketClient> wsClients = new CopyOnWriteArrayList<>();
  private static Process fanoutA;
  private static int portA;
  private static int portB;
  private static int adminB;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedKafkaBroker.builder().host("127.0.0.1").port(EmbeddedKafkaBroker.FREE_PORT).build().start();
    simulator = ExchangeSimulator.create(Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.SYMBOLS, List.of("BTCUSDT", "ETHUSDT")).with(SimulatorSettings.TICK_RATE, 20L))
        .start().await(30, TimeUnit.SECONDS);
    int base = ThreadLocalRandom.current().nextInt(30_000, 40_000);
    List<String> common = List.of("--kafka.bootstrap-servers=" + broker.bootstrapServers(), "--cluster.name=mp-" + base,
        "--cluster.port=" + base, "--cluster.members=127.0.0.1:" + base + ",127.0.0.1:" + (base + 1) + ",127.0.0.1:" + (base + 2));
    portA = freePort();
    portB = freePort();
    adminB = freePort();
    // Clustered by default; fanout-b says -cluster explicitly and takes its port from -conf.
    fanoutA = launch("fanout-a", "io.tickstream.fanout.FanoutVerticle", common, "--port=" + portA, "--admin-port=" + freePort(),
        "--instances=1");
    launch("fanout-b", "io.tickstream.fanout.FanoutVerticle", common, "-cluster", "-instances", "1",
        "-conf", new JsonObject().put("fanout", new JsonObject().put("port", portB).put("admin-port", adminB)).encode());
    launch("ingest", "io.tickstream.ingest.IngestVerticle", common, "--rest-url=" + simulator.restUrl(),
        "--ws-url=" + simulator.wsUrl(), "--admin-port=0");
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    client.close().await(10, TimeUnit.SECONDS);
    if (simulator != null) {
      simulator.close().await(10, TimeUnit.SECONDS);
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void twoFanoutProcessesServeTheSameTicksAndOneSurvivesTheOtherBeingKilled() throws Exception {
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() ->
        assertThat(roles(adminB)).containsExactlyInAnyOrder("fanout@" + portA, "fanout@" + portB, "ingest"));
    Map<Long, JsonObject> fromA = subscribe(portA);
    Map<Long, JsonObject> fromB = subscribe(portB);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Long> both = fromA.keySet().stream().filter(fromB::containsKey).toList();
      assertThat(both).isNotEmpty();
      JsonObject a = fromA.get(both.get(0)).copy();
      JsonObject b = fromB.get(both.get(0)).copy();
      a.remove("ft");
      b.remove("ft");
      assertThat(a).isEqualTo(b);
    });

    fanoutA.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    int before = fromB.size();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
        assertThat(roles(adminB)).containsExactlyInAnyOrder("fanout@" + portB, "ingest"));
    await().atMost(Duration.ofSeconds(20)).until(() -> fromB.size() > before);
  }

  /** Ticks of BTCUSDT a client of {@code port} receives, by u. */
  private static Map<Long, JsonObject> subscribe(int port) {
    Map<Long, JsonObject> ticks = new ConcurrentHashMap<>();
    // 400 (unknown symbol) until the node has seen a BTCUSDT tick: retry until accepted.
    // Kept reachable: Vert.x closes a WebSocketClient, and its open WebSockets, once the client object is collected.
    WebSocketClient wsClient = client.createWebSocketClient();
    wsClients.add(wsClient);
    WebSocket ws = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> wsClient
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/btcusdt@bookTicker"))
        .await(10, TimeUnit.SECONDS), w -> w != null);
    ws.textMessageHandler(text -> {
      JsonObject t = new JsonObject(text);
      ticks.put(t.getLong("u"), t);
    });
    return ticks;
  }

  /** {@code role@port} for fanout members, {@code role} for others, from {@code /cluster} on the admin port {@code port}. */
  private static List<String> roles(int port) throws Exception {
    JsonObject body = client.createHttpClient().request(HttpMethod.GET, port, "127.0.0.1", "/cluster")
        .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> new JsonObject(b.toString()))
        .await(5, TimeUnit.SECONDS);
    List<String> roles = new CopyOnWriteArrayList<>();
    body.getJsonArray("members").stream().map(JsonObject.class::cast).forEach(m -> roles.add(m.getString("role").equals("fanout")
        ? "fanout@" + m.getString("address").substring(m.getString("address").lastIndexOf(':') + 1) : m.getString("role")));
    return roles;
  }

  /** A role process as its jar runs it: RoleApplication (the jars' Main-Class) deploying {@code verticle}. */
  private static Process launch(String name, String verticle, List<String> common, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
    cmd.addAll(JVM_OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tickstream.common.launch.RoleApplication", verticle));
    cmd.addAll(common);
    cmd.addAll(List.of(args));
    File log = new File("target/" + name + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    processes.add(p);
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
