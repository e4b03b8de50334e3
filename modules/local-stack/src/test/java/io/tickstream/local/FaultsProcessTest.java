package io.tickstream.local;

import io.tickstream.common.config.Config;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.ingest.impl.ChunkLayout;
import io.tickstream.kafka.broker.KafkaBrokerMain;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10's faults, each against real processes while one WebSocket client stays subscribed to every symbol through
 * a fanout process the whole time: a rolling restart of the ingest nodes, a SIGKILL of the busiest ingest node, and
 * a SIGKILL of the Kafka broker followed by its restart on the same data directory and port.
 *
 * <p>One stack serves the three steps in order, to keep CI time small: a broker process ({@link KafkaBrokerMain} with
 * a kept log dir), two ingest processes and one fanout process, started as their jars start them
 * ({@code RoleApplication}, clustered), and the exchange simulator in this JVM. Each step states its own assertion
 * about its own window; two hold throughout and every step checks them again: the client was never closed, and per
 * symbol the {@code u} it received strictly increased.
 *
 * <p>The simulator ticks a small universe fast enough (every symbol well above 10 per second despite the Zipf skew)
 * that a symbol silent for a second means the system stopped delivering it, not that the market was quiet.
 * Starts five JVMs; about 50 s on two cores shared with other work (the rolling restart about 12 s, measured with
 * {@link #QUICK_START}). Tagged {@code multiprocess}.
 */
@Tag("multiprocess")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsProcessTest {

  /**
   * The module flags this test JVM got from the pom's one list ({@code <jvm.add-opens>}, {@code <jvm.add-exports>}),
   * handed to the processes it starts: {@code -cp} launches do not read the role jars' manifests.
   */
  private static final List<String> JVM_OPENS = java.lang.management.ManagementFactory.getRuntimeMXBean()
      .getInputArguments().stream().filter(a -> a.startsWith("--add-opens=") || a.startsWith("--add-exports=")).toList();
  /**
   * Enough symbols for about a dozen chunks, so that each of two ingest nodes is all but sure to hold some
   * (rendezvous hashing gives one node none of n chunks with probability 2^(1-n): 3% for 6 chunks, seen here).
   */
  private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT",
      "DOGEUSDT", "TRXUSDT", "DOTUSDT", "LTCUSDT", "LINKUSDT", "AVAXUSDT", "ATOMUSDT", "XLMUSDT", "UNIUSDT", "ETCUSDT");
  /** Across the 16 symbols: the quietest (rank 16 of a Zipf 1.0 schedule) still ticks about 18 times per second. */
  private static final long TICK_RATE = 1000;
  private static final int CHUNK_SIZE = 2;
  /** Step 2's promise: every symbol the client follows ticks again within this long of the SIGKILL. */
  private static final long TAKEOVER_MICROS = 3_000_000;
  /** Step 1's promise: no symbol the client follows is silent longer than this during a rolling restart. */
  private static final long ROLLING_SILENCE_MICROS = 1_000_000;
  /**
   * C1 only: a JVM starting during the rolling restart competes for the two cores with the fanout, the broker and
   * this client; without C2 it compiles far less, so the stall it causes downstream is shorter. Ticks are few here.
   */
  private static final String QUICK_START = "-XX:TieredStopAtLevel=1";
  /** Hazelcast ports listed as members: more than the processes ever alive at once (fanout + 2 ingest + 1 starting). */
  private static final int CLUSTER_PORTS = 6;

  private static final Vertx vertx = Vertx.vertx();
  private static final List<Process> processes = new ArrayList<>();
  private static final List<Ingest> ingests = new ArrayList<>();
  private static final ClientLog client = new ClientLog();
  private static ExchangeSimulator simulator;
  private static Process broker;
  private static List<String> brokerArgs;
  private static Process fanout;
  private static List<String> common;
  private static int chunks;
  private static int launched;
  private static int fanoutPort;
  private static WebSocketClient wsClient;

  /** A running ingest process and the admin port of its {@code /cluster}. */
  private record Ingest(String name, Process process, int httpPort) {
  }

  @BeforeAll
  static void start() throws Exception {
    int kafkaPort = freePort();
    Path logDir = Files.createTempDirectory(Path.of("target"), "faults-kafka-");
    brokerArgs = List.of("--port", String.valueOf(kafkaPort), "--controller-port", String.valueOf(freePort()),
        "--log-dir", logDir.toAbsolutePath().toString(), "--partitions", "3");
    broker = startBroker("faults-broker-1");
    simulator = ExchangeSimulator.create(Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.SYMBOLS, SYMBOLS).with(SimulatorSettings.TICK_RATE, TICK_RATE))
        .start().await(30, TimeUnit.SECONDS);
    chunks = ChunkLayout.of(SYMBOLS.stream().map(s -> s.toLowerCase(Locale.ROOT) + "@bookTicker").toList(), CHUNK_SIZE).size();

    int base = ThreadLocalRandom.current().nextInt(30_000, 40_000);
    String members = IntStream.range(0, CLUSTER_PORTS).mapToObj(i -> "127.0.0.1:" + (base + i)).collect(Collectors.joining(","));
    String topic = "faults-" + System.nanoTime();
    common = List.of("--kafka.bootstrap-servers=127.0.0.1:" + kafkaPort, "--topic.name=" + topic, "--topic.partitions=3",
        "--cluster.name=faults-" + base, "--cluster.port=" + base, "--cluster.members=" + members);
    fanoutPort = freePort();
    fanout = launch("faults-fanout", "io.tickstream.fanout.FanoutVerticle", "--port=" + fanoutPort, "--instances=1");
    startIngest();
    startIngest();

    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
        ingests.stream().allMatch(i -> !writingOrEmpty(i).isEmpty()) && totalWriting() == chunks);
    String streams = SYMBOLS.stream().map(s -> s.toLowerCase(Locale.ROOT) + "@bookTicker").collect(Collectors.joining("/"));
    // Refused (400, unknown symbol) until the fanout has seen a tick of every symbol: retry until accepted.
    // Held for the whole class: Vert.x closes a client (and its WebSockets) once the client object is unreachable.
    wsClient = vertx.createWebSocketClient();
    WebSocket ws = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> wsClient
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(fanoutPort).setURI("/stream?streams=" + streams))
        .await(10, TimeUnit.SECONDS), w -> w != null);
    ws.textMessageHandler(text -> {
      JsonObject data = new JsonObject(text).getJsonObject("data");
      client.onTick(data.getString("s"), data.getLong("u"), data.getLong("pt"), EpochMicros.now());
    });
    ws.closeHandler(v -> client.closedAt = EpochMicros.now());
    await().atMost(Duration.ofSeconds(30)).until(() -> client.symbols().containsAll(SYMBOLS));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
    if (simulator != null) {
      simulator.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void rollingRestartOfEveryIngestNodeLeavesNoSymbolSilentForASecond() throws Exception {
    long from = EpochMicros.now();
    for (Ingest old : List.copyOf(ingests)) {
      old.process().destroy(); // SIGTERM: the node hands its chunks over before it exits
      assertThat(old.process().waitFor(60, TimeUnit.SECONDS)).as("%s exits after SIGTERM", old.name()).isTrue();
      ingests.remove(old);
      Ingest next = startIngest();
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !writing(next).isEmpty() && totalWriting() == chunks);
    }
    long to = EpochMicros.now();

    Map<String, Long> silence = client.longestSilence(SYMBOLS, from, to);
    System.out.printf("Rolling restart (%d ms): longest silence per symbol in ms %s%n", (to - from) / 1000,
        silence.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() / 1000)));
    assertThat(silence).allSatisfy((symbol, micros) -> assertThat(micros)
        .as("%s silent for %d ms during the rolling restart", symbol, micros / 1000).isLessThanOrEqualTo(ROLLING_SILENCE_MICROS));
    client.assertConnectedAndIncreasing();
  }

  @Test
  @Order(2)
  void killingTheBusiestIngestNodeResumesEverySymbolWithin3Seconds() throws Exception {
    Ingest victim = ingests.stream().max((a, b) -> Integer.compare(writingOrEmpty(a).size(), writingOrEmpty(b).size())).orElseThrow();
    long killed = EpochMicros.now();
    victim.process().destroyForcibly();
    assertThat(victim.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
    ingests.remove(victim);

    // Resumed = the client received a tick the exchange produced after the kill (pt, the ingest's receive time).
    await().atMost(Duration.ofSeconds(30)).until(() -> SYMBOLS.stream().allMatch(s -> client.firstReceivedWithPtAfter(s, killed) > 0));
    Map<String, Long> resumed = new HashMap<>();
    for (String s : SYMBOLS) {
      resumed.put(s, client.firstReceivedWithPtAfter(s, killed) - killed);
    }
    System.out.printf("SIGKILL of %s: each symbol resumed at the client after ms %s%n", victim.name(),
        resumed.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() / 1000)));
    assertThat(resumed).allSatisfy((symbol, micros) -> assertThat(micros)
        .as("%s resumed at the client %d ms after the kill", symbol, micros / 1000).isLessThanOrEqualTo(TAKEOVER_MICROS));
    client.assertConnectedAndIncreasing();
  }

  @Test
  @Order(3)
  void killingAndRestartingTheBrokerOnItsDataResumesTicksWithoutRestartingAnyNode() throws Exception {
    List<Long> pids = new ArrayList<>(ingests.stream().map(i -> i.process().pid()).toList());
    pids.add(fanout.pid());
    broker.destroyForcibly();
    assertThat(broker.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long down = EpochMicros.now();
    broker = startBroker("faults-broker-2");
    long up = EpochMicros.now();
    System.out.printf("Broker down for %d ms%n", (up - down) / 1000);

    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> SYMBOLS.stream().allMatch(s -> client.firstReceivedWithPtAfter(s, up) > 0));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      System.out.println("No ticks after the broker restart; the nodes' meters:");
      for (Ingest i : ingests) {
        System.out.println(i.name() + ":\n" + meters(i.httpPort()));
      }
      System.out.println("fanout:\n" + meters(fanoutPort));
      System.out.println("client closed at " + client.closedAt + ", broker ready at " + up);
      throw e;
    }
    long resumed = SYMBOLS.stream().mapToLong(s -> client.firstReceivedWithPtAfter(s, up) - up).max().orElseThrow();
    System.out.printf("Broker restarted: every symbol at the client %d ms after the broker was ready%n", resumed / 1000);
    List<Long> alive = new ArrayList<>(ingests.stream().filter(i -> i.process().isAlive()).map(i -> i.process().pid()).toList());
    if (fanout.isAlive()) {
      alive.add(fanout.pid());
    }
    assertThat(alive).as("the ingest and the fanout processes ride it out (same PIDs)").isEqualTo(pids);
    client.assertConnectedAndIncreasing();
  }

  /** The tickstream meters (no histogram buckets) a node serves on {@code port}, for a failure's story. */
  private static String meters(int port) {
    try {
      String text = vertx.createHttpClient().request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
          .compose(req -> req.send()).compose(resp -> resp.body()).await(5, TimeUnit.SECONDS).toString();
      return text.lines().filter(l -> l.startsWith("tickstream_") && !l.contains("_bucket")).collect(Collectors.joining("\n"));
    } catch (Exception e) {
      return "(no /metrics: " + e + ")";
    }
  }

  private static Process startBroker(String name) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m", QUICK_START, "-cp", System.getProperty("java.class.path"),
        KafkaBrokerMain.class.getName()));
    cmd.addAll(brokerArgs);
    File log = new File("target/" + name + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    processes.add(p);
    await().atMost(Duration.ofSeconds(60)).until(() -> !p.isAlive() || Files.readString(log.toPath()).contains(KafkaBrokerMain.READY_MESSAGE));
    assertThat(p.isAlive()).as("broker started, see %s", log).isTrue();
    return p;
  }

  private static Ingest startIngest() throws IOException {
    int httpPort = freePort();
    String name = "faults-ingest-" + (++launched);
    Process p = launch(name, "io.tickstream.ingest.IngestVerticle", "--rest-url=" + simulator.restUrl(),
        "--ws-url=" + simulator.wsUrl(), "--chunk-size=" + CHUNK_SIZE, "--reconnect-base-delay=50ms", "--admin-port=" + httpPort);
    Ingest ingest = new Ingest(name, p, httpPort);
    ingests.add(ingest);
    return ingest;
  }

  private static int totalWriting() throws Exception {
    int total = 0;
    for (Ingest i : ingests) {
      total += writing(i).size();
    }
    return total;
  }

  private static List<String> writingOrEmpty(Ingest ingest) {
    try {
      return writing(ingest);
    } catch (Exception e) {
      return List.of();
    }
  }

  /** The chunks {@code ingest} writes, from its own {@code /cluster}. */
  private static List<String> writing(Ingest ingest) throws Exception {
    JsonObject body = vertx.createHttpClient().request(HttpMethod.GET, ingest.httpPort(), "127.0.0.1", "/cluster")
        .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> new JsonObject(b.toString()))
        .await(5, TimeUnit.SECONDS);
    List<String> chunks = new ArrayList<>();
    body.getJsonArray("members").stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("address").endsWith(":" + ingest.httpPort()))
        .forEach(m -> m.getJsonArray("chunks").stream().map(JsonObject.class::cast)
            .filter(c -> c.getString("state").equals("writing")).forEach(c -> chunks.add(c.getString("chunk"))));
    return chunks;
  }

  /** A role process as its jar runs it: RoleApplication (the jars' Main-Class) deploying {@code verticle}. */
  private static Process launch(String name, String verticle, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", QUICK_START));
    cmd.addAll(JVM_OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tickstream.common.launch.RoleApplication", verticle));
    cmd.addAll(common);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("target/" + name + ".log")).start();
    processes.add(p);
    return p;
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * What the one client received: per symbol the receive times (this JVM's clock, microseconds) and the
   * {@code pt} of each tick, and every time a symbol's {@code u} did not increase. Written by the client's event
   * loop, read by the test thread.
   */
  private static final class ClientLog {
    private final Map<String, List<long[]>> ticks = new HashMap<>();
    private final Map<String, Long> lastU = new HashMap<>();
    private final List<String> regressions = new ArrayList<>();
    /** When the client's WebSocket closed; 0 while open. */
    volatile long closedAt;

    synchronized void onTick(String symbol, long u, long pt, long receivedMicros) {
      Long last = lastU.put(symbol, u);
      if (last != null && u <= last) {
        regressions.add(symbol + " u " + u + " after " + last + " at " + receivedMicros);
      }
      ticks.computeIfAbsent(symbol, s -> new ArrayList<>()).add(new long[] {receivedMicros, pt});
    }

    synchronized List<String> symbols() {
      return List.copyOf(ticks.keySet());
    }

    /** When the client first received a tick of {@code symbol} with {@code pt} after {@code micros}; 0 if never. */
    synchronized long firstReceivedWithPtAfter(String symbol, long micros) {
      return ticks.getOrDefault(symbol, List.of()).stream().filter(t -> t[1] > micros).mapToLong(t -> t[0]).min().orElse(0);
    }

    /**
     * Per symbol, the longest time in [from, to] without a tick received (edges count as gaps). Prints where the
     * longest one lies, and the gap in {@code pt} across it: a {@code pt} gap as long means the ingest side was
     * silent, a short one that the ticks were late downstream (Kafka, fanout, this client).
     */
    synchronized Map<String, Long> longestSilence(List<String> symbols, long from, long to) {
      Map<String, Long> out = new HashMap<>();
      for (String s : symbols) {
        long previous = from;
        long previousPt = 0;
        long longest = 0;
        String where = "";
        for (long[] t : ticks.getOrDefault(s, List.of())) {
          if (t[0] >= from && t[0] <= to) {
            if (t[0] - previous > longest) {
              longest = t[0] - previous;
              where = String.format("%s: %d ms from +%d ms, pt gap %d ms", s, longest / 1000, (previous - from) / 1000,
                  previousPt == 0 ? -1 : (t[1] - previousPt) / 1000);
            }
            previous = t[0];
            previousPt = t[1];
          }
        }
        if (to - previous > longest) {
          longest = to - previous;
          where = s + ": " + longest / 1000 + " ms at the end";
        }
        out.put(s, longest);
        if (longest > 500_000) {
          System.out.println("  longest silence of " + where);
        }
      }
      return out;
    }

    synchronized void assertConnectedAndIncreasing() {
      assertThat(closedAt).as("the client stayed connected (closed at %d)", closedAt).isZero();
      assertThat(regressions).as("per symbol, u strictly increases at the client").isEmpty();
    }
  }
}
