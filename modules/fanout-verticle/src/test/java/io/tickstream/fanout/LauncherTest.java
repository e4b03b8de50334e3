package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fanout as its jar runs it, in a process of its own: {@code RoleApplication} (the jar's {@code Main-Class}, a
 * Vert.x launcher application) deploying {@link FanoutVerticle}. Not clustered here, so it never joins a cluster
 * of a developer's running stack; the multi-process cluster test of the local stack covers joining.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LauncherTest {

  /**
   * The module flags this test JVM got from the pom's one list ({@code <jvm.add-opens>}, {@code <jvm.add-exports>}),
   * handed to the processes it starts: {@code -cp} launches do not read the role jars' manifests.
   */
  private static final List<String> JVM_OPENS = java.lang.management.ManagementFactory.getRuntimeMXBean()
      .getInputArguments().stream().filter(a -> a.startsWith("--add-opens=") || a.startsWith("--add-exports=")).toList();

  private final Vertx client = Vertx.vertx();
  private Process process;

  @AfterEach
  void stop() throws Exception {
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    FanoutFixture.await(client.close());
  }

  @Test
  void flagsConfAndInstancesReachTheVerticleAndSigtermDrainsItsClientsBeforeExit() throws Exception {
    int port = freePort();
    int adminPort = freePort();
    Path log = Path.of("target/launcher-fanout-" + port + ".log");
    JsonObject conf = new JsonObject().put("fanout", new JsonObject().put("exchange", "simulator").put("drain-window", "1s"))
        .put("fanout.port", 1);
    // The environment names another port: the flag wins, in the launcher and in the verticle.
    process = launch(log, Map.of("TICKSTREAM_FANOUT_PORT", String.valueOf(freePort())), "--port", String.valueOf(port),
        "--admin-port", String.valueOf(adminPort),
        "--kafka.bootstrap-servers=" + KafkaBrokerExtension.bootstrapServers(), "--topic.name=launcher-" + System.nanoTime(),
        "--topic.partitions=1", "--cluster.enabled=false", "-conf", conf.encode(), "-instances", "2");

    await().atMost(Duration.ofSeconds(60)).until(() -> output(log).contains("Fanout node on ws://127.0.0.1:" + port + " "));
    FanoutFixture.HttpResult ready = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> FanoutFixture.get(client, adminPort, "/health/ready", false), r -> r.status() == 200);
    assertThat(new JsonObject(ready.body()).getString("exchange")).as("from -conf").isEqualTo("simulator");
    assertThat(output(log)).as("-instances 2 is two server instances in the one node")
        .contains("Fanout listening on 127.0.0.1:" + port + " with 2 instances");

    io.vertx.core.http.WebSocketClient wsClient = client.createWebSocketClient();
    TestClient bare = FanoutFixture.await(wsClient
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
        .map(ws -> new TestClient(wsClient, ws)));
    process.destroy(); // SIGTERM
    assertThat(bare.next().getString("e")).isEqualTo("serverShutdown");
    await().atMost(Duration.ofSeconds(20)).until(() -> bare.closeStatus != null);
    assertThat(bare.closeStatus).isEqualTo((short) 1012);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("killed by SIGTERM, after the shutdown hook").isEqualTo(128 + 15);
  }

  @Test
  void aBadCommandLineExitsWith2BeforeAnythingStarts() throws Exception {
    Path log = Path.of("target/launcher-fanout-bad.log");
    process = launch(log, Map.of(), "--prot=8081");
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output(log)).contains("tickstream fanout: Unknown option: '--prot=8081'");
  }

  private static Process launch(Path log, Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
    cmd.addAll(JVM_OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tickstream.common.launch.RoleApplication",
        FanoutVerticle.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static String output(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
