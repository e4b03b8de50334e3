package io.tickstream.local;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.ingest.impl.ChunkLayout;
import io.tickstream.kafka.broker.KafkaBrokerMain;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10's split brain: two ingest hosts lose each other but not Kafka or the exchange. Both keep ingesting
 * every symbol they can see (duplicates in Kafka), a fanout client never sees a repeated or regressing {@code u},
 * and once the link is back Hazelcast merges the halves and each chunk has exactly one writer again.
 *
 * <p>Topology, all in network namespaces made for this run ({@link NetworkNamespaces}):
 * <pre>
 *        hub: Kafka broker, exchange simulator, fanout (not clustered)   10.213.X.2
 *        /  10.213.101.0/30                \  10.213.102.0/30
 *   a: ingest A  ---- 10.213.103.0/30 ----  b: ingest B      (Hazelcast binds 10.213.103.1 / .2)
 * </pre>
 * The a-b veth carries only the cluster (Hazelcast and event bus); taking it down is the partition. Each of a, b
 * reaches the hub's address through its own link. The test itself (root namespace) reaches hub, a and b over one
 * private /30 link each. Nothing is routed beyond these links.
 *
 * <p>Needs root and iproute2: skipped otherwise, except under {@code CI=true}, where it fails. Starts five JVMs
 * (45 to 90 s on two cores); tagged {@code multiprocess} and {@code netns}.
 */
@Tag("multiprocess")
@Tag("netns")
class SplitBrainTest {

  /**
   * The module flags this test JVM got from the pom's one list ({@code <jvm.add-opens>}, {@code <jvm.add-exports>}),
   * handed to the processes it starts: {@code -cp} launches do not read the role jars' manifests.
   */
  private static final List<String> JVM_OPENS = java.lang.management.ManagementFactory.getRuntimeMXBean()
      .getInputArguments().stream().filter(a -> a.startsWith("--add-opens=") || a.startsWith("--add-exports=")).toList();
  private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT",
      "DOGEUSDT", "TRXUSDT");
  /** The chunks every ingest node forms from these symbols with chunk size 2 (the ingest's own layout). */
  private static final Set<String> CHUNKS = ChunkLayout.of(SYMBOLS.stream().map(s -> s.toLowerCase() + "@bookTicker").toList(), 2)
      .chunks().keySet();
  private static final String A_CLUSTER = "10.213.103.1";
  private static final String B_CLUSTER = "10.213.103.2";

  private static NetworkNamespaces net;
  private static final List<Process> processes = new ArrayList<>();
  private static final Vertx client = Vertx.vertx();
  private static KafkaConsumer<String, byte[]> consumer;

  @BeforeAll
  static void requireNamespaces() {
    String why = NetworkNamespaces.unavailableBecause();
    if (why != null && "true".equals(System.getenv("CI"))) {
      fail("CI=true but the split-brain test cannot run: " + why + " (CI must run as root with iproute2)");
    }
    Assumptions.assumeTrue(why == null, () -> "split-brain test skipped: " + why);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(5));
    }
    client.close().await(10, TimeUnit.SECONDS);
    if (net != null) {
      net.close();
    }
  }

  @Test
  void bothHalvesIngestEverySymbolDuringAPartitionAndOneWriterPerChunkReturnsAfterItHeals() throws Exception {
    // The hosts.
    net = new NetworkNamespaces();
    String root = NetworkNamespaces.freeRootPrefix();
    String hubAddress = root + "2";
    String aAddress = root + "6";
    String bAddress = root + "10";
    String hub = net.namespace("hub");
    String a = net.namespace("a");
    String b = net.namespace("b");
    net.link("h", null, root + "1/30", hub, hubAddress + "/30");
    net.link("a", null, root + "5/30", a, aAddress + "/30");
    net.link("b", null, root + "9/30", b, bAddress + "/30");
    net.link("ha", hub, "10.213.101.1/30", a, "10.213.101.2/30");
    net.link("hb", hub, "10.213.102.1/30", b, "10.213.102.2/30");
    String cut = net.link("ab", a, A_CLUSTER + "/30", b, B_CLUSTER + "/30");
    net.route(a, hubAddress, "10.213.101.1");
    net.route(b, hubAddress, "10.213.102.1");

    // The hub: broker, simulator, fanout.
    int kafkaPort = port();
    Process broker = launch(hub, "broker", List.of(KafkaBrokerMain.class.getName(), "--host", hubAddress,
        "--port", String.valueOf(kafkaPort), "--controller-port", String.valueOf(port()), "--partitions", "3"));
    String kafka = hubAddress + ":" + kafkaPort;
    int simPort = port();
    launch(hub, "simulator", List.of("io.tickstream.simulator.ExchangeSimulatorMain", "--host", hubAddress,
        "--port", String.valueOf(simPort), "--symbols", String.join(",", SYMBOLS), "--tick-rate", "400"));
    await().atMost(Duration.ofSeconds(60)).until(() -> log("broker").contains(KafkaBrokerMain.READY_MESSAGE) || !broker.isAlive());
    assertThat(broker.isAlive()).as("broker running (target/split-broker.log)").isTrue();
    String topic = "split-brain-" + net.run;
    int fanoutPort = port();
    launchRole(hub, "fanout", "io.tickstream.fanout.FanoutVerticle", List.of("--kafka.bootstrap-servers=" + kafka,
        "--topic.name=" + topic, "--topic.partitions=3", "--topic.compaction=false", "--cluster.enabled=false",
        "--host=" + hubAddress, "--port=" + fanoutPort, "--instances=1"));

    // The two ingest hosts: one cluster over the a-b link only.
    int hzPort = port();
    int httpA = port();
    int httpB = port();
    List<String> ingest = List.of("--kafka.bootstrap-servers=" + kafka, "--topic.name=" + topic, "--topic.partitions=3",
        "--topic.compaction=false", "--cluster.name=split-" + net.run, "--cluster.port=" + hzPort,
        "--cluster.members=" + A_CLUSTER + ":" + hzPort + "," + B_CLUSTER + ":" + hzPort, "--cluster.merge-interval=2s",
        "--rest-url=http://" + hubAddress + ":" + simPort, "--ws-url=ws://" + hubAddress + ":" + simPort,
        "--chunk-size=2", "--reconnect-base-delay=50ms", "--admin-host=0.0.0.0");
    launchRole(a, "ingest-a", "io.tickstream.ingest.IngestVerticle", plus(ingest, "--cluster.interface=" + A_CLUSTER, "--admin-port=" + httpA));
    launchRole(b, "ingest-b", "io.tickstream.ingest.IngestVerticle", plus(ingest, "--cluster.interface=" + B_CLUSTER, "--admin-port=" + httpB));
    Node nodeA = new Node(aAddress, httpA);
    Node nodeB = new Node(bAddress, httpB);

    // Joined: both write a share, every chunk exactly once.
    await().atMost(Duration.ofSeconds(120)).ignoreExceptions().untilAsserted(() -> assertOneWriterPerChunk(nodeA, nodeB));
    Set<String> chunks = CHUNKS;
    System.out.printf("Joined: A writes %s, B writes %s%n", nodeA.writing(), nodeB.writing());

    // A fanout client of every symbol, from the hub.
    Map<String, List<Long>> seen = subscribe(hubAddress, fanoutPort);
    consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka), new StringDeserializer(), new ByteArrayDeserializer());
    Map<String, List<BookTicker>> topicTicks = new HashMap<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> readTopic(topic, topicTicks) && topicTicks.keySet().containsAll(SYMBOLS));

    // Cut the cluster link: each side removes the other (after cluster.max-no-heartbeat) and writes every chunk.
    long cutAt = System.nanoTime();
    net.linkUp(a, cut, false);
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      assertThat(nodeA.members()).as("A's view").containsExactly(nodeA.self());
      assertThat(nodeB.members()).as("B's view").containsExactly(nodeB.self());
      assertThat(nodeA.writing()).as("A writes").isEqualTo(chunks);
      assertThat(nodeB.writing()).as("B writes").isEqualTo(chunks);
    });
    long bothWriteAt = micros();
    System.out.printf("Partitioned: each side writes all %d chunks %d ms after the cut%n", chunks.size(),
        (System.nanoTime() - cutAt) / 1_000_000);
    // Every symbol is in Kafka twice: the same u written by both halves.
    await().atMost(Duration.ofSeconds(30)).until(() -> readTopic(topic, topicTicks)
        && SYMBOLS.stream().allMatch(s -> duplicatesAfter(topicTicks.get(s), bothWriteAt) > 0));

    // Heal: Hazelcast merges the halves (cluster.merge-interval) and ownership settles.
    long healAt = System.nanoTime();
    net.linkUp(a, cut, true);
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
      assertThat(nodeA.members()).as("A's view").containsExactlyInAnyOrder(nodeA.self(), nodeB.self());
      assertThat(nodeB.members()).as("B's view").containsExactlyInAnyOrder(nodeA.self(), nodeB.self());
      assertOneWriterPerChunk(nodeA, nodeB);
    });
    long settledAt = micros();
    System.out.printf("Healed: one writer per chunk again %d ms after the link came back (A %s, B %s)%n",
        (System.nanoTime() - healAt) / 1_000_000, nodeA.writing(), nodeB.writing());

    // From then on the topic holds each u once: 3 s of every symbol without a repeat.
    await().atMost(Duration.ofSeconds(30)).until(() -> readTopic(topic, topicTicks)
        && SYMBOLS.stream().allMatch(s -> topicTicks.get(s).stream().anyMatch(t -> t.receiveTimeMicros() > settledAt + 3_000_000)));
    for (String symbol : SYMBOLS) {
      assertThat(duplicatesAfter(topicTicks.get(symbol), settledAt)).as("%s: repeated u in Kafka after ownership settled", symbol).isZero();
    }
    assertOneWriterPerChunk(nodeA, nodeB);

    // The client saw every symbol through it all, u strictly increasing.
    await().atMost(Duration.ofSeconds(10)).until(() -> SYMBOLS.stream().allMatch(s -> seen.get(s).size() > 10));
    for (String symbol : SYMBOLS) {
      List<Long> us = List.copyOf(seen.get(symbol));
      for (int i = 1; i < us.size(); i++) {
        assertThat(us.get(i)).as("%s: u at #%d from the fanout", symbol, i).isGreaterThan(us.get(i - 1));
      }
    }
  }

  /** Between them the two nodes write every chunk, each exactly once, and each writes some. */
  private static void assertOneWriterPerChunk(Node a, Node b) throws Exception {
    Set<String> wa = a.writing();
    Set<String> wb = b.writing();
    assertThat(wa).as("A writes").isNotEmpty();
    assertThat(wb).as("B writes").isNotEmpty();
    assertThat(wa).as("written by both").doesNotContainAnyElementsOf(wb);
    assertThat(a.held()).as("A holds only what it writes").isEqualTo(wa);
    assertThat(b.held()).as("B holds only what it writes").isEqualTo(wb);
    assertThat(union(wa, wb)).as("chunks written").isEqualTo(CHUNKS);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }

  /** Ticks of one symbol after {@code micros} whose u some earlier tick already had. */
  private static long duplicatesAfter(List<BookTicker> ticks, long micros) {
    Set<Long> us = new HashSet<>();
    long repeats = 0;
    for (BookTicker t : ticks) {
      if (!us.add(t.updateId()) && t.receiveTimeMicros() > micros) {
        repeats++;
      }
    }
    return repeats;
  }

  /** Polls the topic once into {@code bySymbol}; true (for use in an await). */
  private static boolean readTopic(String topic, Map<String, List<BookTicker>> bySymbol) throws Exception {
    if (consumer.assignment().isEmpty()) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos == null || infos.isEmpty()) {
        return false;
      }
      List<TopicPartition> all = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(all);
      consumer.seekToBeginning(all);
    }
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      BookTicker tick = BookTickerDecoder.decode(r.value());
      bySymbol.computeIfAbsent(tick.symbol(), k -> new ArrayList<>()).add(tick);
    }
    return true;
  }

  /** Every symbol's u as a fanout client receives them, over one combined-stream WebSocket. */
  private static Map<String, List<Long>> subscribe(String host, int port) {
    Map<String, List<Long>> seen = new ConcurrentHashMap<>();
    SYMBOLS.forEach(s -> seen.put(s, new CopyOnWriteArrayList<>()));
    String streams = SYMBOLS.stream().map(s -> s.toLowerCase() + "@bookTicker").collect(Collectors.joining("/"));
    // 400 (unknown symbol) until the fanout has seen each symbol: retry until accepted.
    WebSocket ws = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> client.createWebSocketClient()
        .connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/stream?streams=" + streams))
        .await(10, TimeUnit.SECONDS), w -> w != null);
    ws.textMessageHandler(text -> {
      JsonObject data = new JsonObject(text).getJsonObject("data");
      seen.get(data.getString("s")).add(data.getLong("u"));
    });
    return seen;
  }

  /** One ingest node's own view, from its /cluster. */
  private record Node(String host, int port) {

    JsonObject cluster() throws Exception {
      return client.createHttpClient().request(HttpMethod.GET, port, host, "/cluster")
          .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> new JsonObject(b.toString()))
          .await(5, TimeUnit.SECONDS);
    }

    private JsonObject me(JsonObject cluster) {
      return cluster.getJsonArray("members").stream().map(JsonObject.class::cast)
          .filter(m -> m.getString("address").endsWith(":" + port)).findFirst().orElseThrow();
    }

    /** Addresses of the ingest members this node sees. */
    List<String> members() throws Exception {
      return cluster().getJsonArray("members").stream().map(JsonObject.class::cast)
          .filter(m -> "ingest".equals(m.getString("role"))).map(m -> m.getString("address")).toList();
    }

    String self() throws Exception {
      return me(cluster()).getString("address");
    }

    Set<String> writing() throws Exception {
      return chunks("writing");
    }

    Set<String> held() throws Exception {
      return chunks(null);
    }

    private Set<String> chunks(String state) throws Exception {
      return me(cluster()).getJsonArray("chunks").stream().map(JsonObject.class::cast)
          .filter(c -> state == null || state.equals(c.getString("state"))).map(c -> c.getString("chunk"))
          .collect(Collectors.toSet());
    }
  }

  private static List<String> plus(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  private static Process launchRole(String namespace, String name, String verticle, List<String> args) throws Exception {
    List<String> main = new ArrayList<>(List.of("io.tickstream.common.launch.RoleApplication", verticle));
    main.addAll(args);
    return launch(namespace, name, main);
  }

  /** A JVM inside {@code namespace} with the test's class path, logging to target/split-NAME.log. */
  private static Process launch(String namespace, String name, List<String> mainAndArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
    cmd.addAll(JVM_OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.addAll(mainAndArgs);
    Process p = new ProcessBuilder(NetworkNamespaces.inNamespace(namespace, cmd)).redirectErrorStream(true)
        .redirectOutput(new File("target/split-" + name + ".log")).start();
    processes.add(p);
    return p;
  }

  private static String log(String name) throws Exception {
    return Files.readString(new File("target/split-" + name + ".log").toPath());
  }

  private static int nextPort = ThreadLocalRandom.current().nextInt(20_000, 30_000);

  /** A port: every namespace is a fresh host with nothing listening, so counting up from a random start is enough. */
  private static int port() {
    return nextPort++;
  }

  private static long micros() {
    return System.currentTimeMillis() * 1000;
  }
}
