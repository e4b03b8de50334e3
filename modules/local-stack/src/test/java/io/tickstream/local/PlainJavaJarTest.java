package io.tickstream.local;

import io.tickstream.common.config.Config;
import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import io.tickstream.simulator.ExchangeSimulator;
import io.tickstream.simulator.SimulatorSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ingest and fanout jars run with a plain {@code java -jar} and not one JVM flag, as a container runs them: the
 * JDK internals Hazelcast and Netty need are opened by the jars' manifests ({@code Add-Opens}, {@code Add-Exports},
 * from {@code <jvm.add-opens>} in the parent pom), so neither node logs a module-access warning, and the two form a
 * cluster. Only {@code sun.misc.Unsafe}'s deprecation notice (JDK 24+) may remain: no manifest attribute turns it
 * off, so the images and {@code ./tickstream} pass {@code --sun-misc-unsafe-memory-access=allow}.
 */
@Tag("multiprocess")
class PlainJavaJarTest {

  /** What the JVM or Hazelcast print when a module-access flag is missing. */
  private static final List<String> MODULE_WARNINGS = List.of("illegal reflective access", "Illegal reflective access",
      "modular environment", "--add-opens", "--add-exports", "--add-modules", "is not open to", "does not export",
      "restricted method", "--enable-native-access", "InaccessibleObjectException");

  private static EmbeddedKafkaBroker broker;
  private static ExchangeSimulator simulator;
  private static final List<Process> processes = new ArrayList<>();
  private static final Vertx client = Vertx.vertx();

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedKafkaBroker.builder().host("127.0.0.1").port(EmbeddedKafkaBroker.FREE_PORT).build().start();
    simulator = ExchangeSimulator.create(Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.SYMBOLS, List.of("BTCUSDT")).with(SimulatorSettings.TICK_RATE, 10L))
        .start().await(30, TimeUnit.SECONDS);
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
  void ingestAndFanoutJarsStartWithPlainJavaJarAndLogNoModuleAccessWarning() throws Exception {
    Path fanoutJar = RoleJars.jar("fanout-verticle");
    Path ingestJar = RoleJars.jar("ingest-verticle");
    int clusterPort = ThreadLocalRandom.current().nextInt(30_000, 40_000);
    int fanoutPort = RoleJars.freePort();
    int fanoutAdminPort = RoleJars.freePort();
    Map<String, String> cluster = Map.of("TICKSTREAM_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
        "TICKSTREAM_TOPIC_NAME", "plain-jar-" + clusterPort, "TICKSTREAM_TOPIC_PARTITIONS", "1",
        "TICKSTREAM_CLUSTER_NAME", "plain-jar-" + clusterPort, "TICKSTREAM_CLUSTER_PORT", String.valueOf(clusterPort),
        "TICKSTREAM_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort + ",127.0.0.1:" + (clusterPort + 1));
    Path fanoutLog = Path.of("target/plain-jar-fanout.log");
    Path ingestLog = Path.of("target/plain-jar-ingest.log");
    processes.add(RoleJars.launch(fanoutJar, List.of(), with(cluster, Map.of("TICKSTREAM_FANOUT_PORT",
        String.valueOf(fanoutPort), "TICKSTREAM_FANOUT_ADMIN_PORT", String.valueOf(fanoutAdminPort),
        "TICKSTREAM_FANOUT_INSTANCES", "1")), List.of(), fanoutLog));
    processes.add(RoleJars.launch(ingestJar, List.of(), with(cluster, Map.of("TICKSTREAM_INGEST_REST_URL",
        simulator.restUrl(), "TICKSTREAM_INGEST_WS_URL", simulator.wsUrl(), "TICKSTREAM_INGEST_ADMIN_PORT", "0")),
        List.of(), ingestLog));

    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() ->
        assertThat(roles(fanoutAdminPort)).containsExactlyInAnyOrder("fanout", "ingest"));
    await().atMost(Duration.ofSeconds(30)).until(() -> RoleJars.output(fanoutLog).contains("Fanout listening on"));
    for (Path log : List.of(fanoutLog, ingestLog)) {
      List<String> lines = RoleJars.output(log).lines().toList();
      assertThat(lines).as(log + ": no module-access warning")
          .noneMatch(line -> MODULE_WARNINGS.stream().anyMatch(line::contains));
      assertThat(lines.stream().filter(l -> l.startsWith("WARNING:")))
          .as(log + ": the JVM's own warnings are at most sun.misc.Unsafe's deprecation notice (JDK 24+)")
          .allMatch(l -> l.contains("sun.misc.Unsafe") || l.contains("UnsafeUtil"));
    }
  }

  private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
    Map<String, String> all = new java.util.HashMap<>(a);
    all.putAll(b);
    return all;
  }

  private static List<String> roles(int port) throws Exception {
    JsonObject body = client.createHttpClient().request(HttpMethod.GET, port, "127.0.0.1", "/cluster")
        .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> new JsonObject(b.toString()))
        .await(5, TimeUnit.SECONDS);
    return body.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("role")).toList();
  }
}
