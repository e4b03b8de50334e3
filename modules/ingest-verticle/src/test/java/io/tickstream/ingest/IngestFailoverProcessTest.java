package io.tickstream.ingest;

import io.tickstream.common.config.Config;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.kafka.broker.junit.BootstrapServers;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.tickstream.simulator.ExchangeSimulator;
import io.tickstream.simulator.SimulatorSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two ingest processes, started as {@code ./tickstream ingest} starts one (RoleApplication, clustered by default,
 * no extra flag), share the exchange's chunks; the one writing the most chunks is SIGKILLed, and every symbol's
 * ticks are back in Kafka within 3 s of the kill, with each symbol's {@code u} strictly increasing in the topic.
 * Default failure-detection settings: the kill is seen through the closed sockets of the killed process.
 *
 * <p>The 3 s is the requirement (issue 10), measured on the ingest's own receive times ({@code pt}, the same
 * host clock as the kill) rather than on the test's polling, so a slow consumer cannot fail it. Starts two JVMs
 * (about 20 s on two cores); tagged {@code multiprocess}.
 */
@Tag("multiprocess")
@ExtendWith(KafkaBrokerExtension.class)
class IngestFailoverProcessTest {

  /**
   * The module flags this test JVM got from the pom's one list ({@code <jvm.add-opens>}, {@code <jvm.add-exports>}),
   * handed to the processes it starts: {@code -cp} launches do not read the role jars' manifests.
   */
  private static final List<String> JVM_OPENS = java.lang.management.ManagementFactory.getRuntimeMXBean()
      .getInputArguments().stream().filter(a -> a.startsWith("--add-opens=") || a.startsWith("--add-exports=")).toList();
  private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT",
      "DOGEUSDT", "TRXUSDT", "DOTUSDT", "LTCUSDT");
  /** The takeover promise: every symbol ticks again in Kafka within this long after the kill. */
  private static final long TAKEOVER_MICROS = 3_000_000;

  private final Vertx client = Vertx.vertx();
  private final List<Process> processes = new ArrayList<>();
  private ExchangeSimulator simulator;
  private TopicReader reader;

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (reader != null) {
      reader.close();
    }
    if (simulator != null) {
      simulator.close().await(10, TimeUnit.SECONDS);
    }
    client.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void killingTheBusiestIngestProcessResumesEverySymbolWithin3Seconds(@BootstrapServers String kafka) throws Exception {
    simulator = ExchangeSimulator.create(Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.SYMBOLS, SYMBOLS).with(SimulatorSettings.TICK_RATE, 1000L)).start().await(30, TimeUnit.SECONDS);
    String topic = "ingest-failover-" + System.nanoTime();
    int base = ThreadLocalRandom.current().nextInt(30_000, 40_000);
    List<String> common = List.of("--kafka.bootstrap-servers=" + kafka, "--topic.name=" + topic, "--topic.partitions=3",
        "--topic.compaction=false", "--cluster.name=ingest-failover-" + base, "--cluster.port=" + base,
        "--cluster.members=127.0.0.1:" + base + ",127.0.0.1:" + (base + 1),
        "--rest-url=" + simulator.restUrl(), "--ws-url=" + simulator.wsUrl(), "--chunk-size=2",
        "--reconnect-base-delay=50ms");
    int[] ports = {freePort(), freePort()};
    Process[] ingest = {launch("ingest-a", common, ports[0]), launch("ingest-b", common, ports[1])};

    // Both processes hold a share, and between them every chunk once.
    int chunks = IngestTestSupport.chunksOf(SYMBOLS, 2);
    Map<Integer, List<String>> writing = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(
        () -> Map.of(0, writing(ports[0]), 1, writing(ports[1])),
        w -> !w.get(0).isEmpty() && !w.get(1).isEmpty() && w.get(0).size() + w.get(1).size() == chunks);
    reader = new TopicReader(kafka, topic);
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      reader.poll();
      return reader.bySymbol().keySet().containsAll(SYMBOLS);
    });

    int victim = writing.get(0).size() >= writing.get(1).size() ? 0 : 1;
    long killed = EpochMicros.now();
    ingest[victim].destroyForcibly();
    ingest[victim].waitFor(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(30)).until(() -> {
      reader.poll();
      return SYMBOLS.stream().allMatch(s -> reader.countAfter(s, killed + TAKEOVER_MICROS) > 0);
    });
    long worst = 0;
    for (String symbol : SYMBOLS) {
      long resumed = reader.bySymbol().get(symbol).stream().mapToLong(BookTicker::receiveTimeMicros)
          .filter(pt -> pt > killed).min().orElseThrow();
      worst = Math.max(worst, resumed - killed);
      assertThat(resumed - killed).as("%s resumed %d ms after the kill", symbol, (resumed - killed) / 1000)
          .isLessThanOrEqualTo(TAKEOVER_MICROS);
    }
    System.out.printf("Every symbol resumed within %d ms of the SIGKILL%n", worst / 1000);
    reader.assertNoUpdateIdRegression();
    assertThat(writing(ports[1 - victim])).hasSize(chunks);
  }

  /** The chunks the process serving {@code port} writes, from its /cluster. */
  private List<String> writing(int port) throws Exception {
    JsonObject body = client.createHttpClient().request(HttpMethod.GET, port, "127.0.0.1", "/cluster")
        .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> new JsonObject(b.toString()))
        .await(5, TimeUnit.SECONDS);
    List<String> chunks = new ArrayList<>();
    body.getJsonArray("members").stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("address").endsWith(":" + port))
        .forEach(m -> m.getJsonArray("chunks").stream().map(JsonObject.class::cast)
            .filter(c -> c.getString("state").equals("writing")).forEach(c -> chunks.add(c.getString("chunk"))));
    return chunks;
  }

  /** An ingest process as its jar runs it: RoleApplication (the jar's Main-Class) deploying the IngestVerticle. */
  private Process launch(String name, List<String> common, int adminPort) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
    cmd.addAll(JVM_OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tickstream.common.launch.RoleApplication",
        IngestVerticle.class.getName()));
    cmd.addAll(common);
    cmd.add("--admin-port=" + adminPort);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("target/" + name + ".log")).start();
    processes.add(p);
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
