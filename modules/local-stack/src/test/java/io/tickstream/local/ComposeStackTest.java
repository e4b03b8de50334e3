package io.tickstream.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tickstream.common.config.Config;
import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import io.tickstream.simulator.ExchangeSimulator;
import io.tickstream.simulator.SimulatorSettings;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code docker/compose.yaml} run without containers: every tickstream service of the file becomes a process
 * started as its image starts it ({@code java} with the Dockerfile's JVM options, {@code -jar} the role's jar, the
 * image's {@code ENV} under the service's {@code environment}, interpolated with {@code docker/simulator.env}), with
 * container hostnames mapped to loopback ports. Kafka is the project's own broker instead of the apache/kafka
 * image, the simulator runs in-process. Then: the four nodes form one cluster, a WebSocket client of a fanout node
 * gets ticks, the image's health check script answers, and HAProxy with {@code docker/haproxy/haproxy.cfg} (same
 * substitution) passes a WebSocket client and SockJS xhr-streaming sessions to the fanouts.
 *
 * <p>Needs the built jars (see {@link RoleJars}) and Debian's {@code haproxy} and {@code docker-compose} packages
 * for the parts that use them; without them those parts are skipped, except under {@code CI=true}.
 */
@Tag("multiprocess")
class ComposeStackTest {

  private static final Path DOCKER = RoleJars.root().resolve("docker");
  private static final Map<String, String> JARS = Map.of("ingest", "ingest-verticle", "fanout", "fanout-verticle");

  private static EmbeddedKafkaBroker broker;
  private static ExchangeSimulator simulator;
  private static final List<Process> processes = new ArrayList<>();
  private static final Vertx client = Vertx.vertx();
  /** {@code service:containerPort} -> {@code 127.0.0.1:loopbackPort}. */
  private static final Map<String, String> addresses = new LinkedHashMap<>();
  /** Service -> its client port on loopback (the fanouts' 8080 in the container). */
  private static final Map<String, Integer> httpPorts = new LinkedHashMap<>();
  /** Service -> its admin port on loopback (fanout 8090, ingest 8089 in the container). */
  private static final Map<String, Integer> adminPorts = new LinkedHashMap<>();
  private static final Map<String, String> roles = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    JsonNode services = new YAMLMapper().readTree(DOCKER.resolve("compose.yaml").toFile()).get("services");
    Map<String, String> interpolation = envFile(DOCKER.resolve("simulator.env"));
    services.properties().forEach(e -> {
      String image = e.getValue().path("image").asText();
      if (image.startsWith("tickstream/")) {
        roles.put(e.getKey(), image.substring("tickstream/".length(), image.indexOf(':')));
      }
    });
    assertThat(roles).as("tickstream services of compose.yaml").containsValues("ingest", "fanout", "simulator");
    assertThat(roles.values().stream().filter("fanout"::equals).count()).as("fanout nodes behind the LB").isEqualTo(2);

    broker = EmbeddedKafkaBroker.builder().host("127.0.0.1").port(EmbeddedKafkaBroker.FREE_PORT).build().start();
    simulator = ExchangeSimulator.create(Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.SYMBOLS, List.of("BTCUSDT", "ETHUSDT")).with(SimulatorSettings.TICK_RATE, 20L))
        .start().await(30, TimeUnit.SECONDS);
    addresses.put("kafka:9092", broker.bootstrapServers());
    addresses.put("simulator:9443", hostPort(simulator.restUrl()));
    int clusterBase = ThreadLocalRandom.current().nextInt(30_000, 40_000);
    int n = 0;
    for (Map.Entry<String, String> service : roles.entrySet()) {
      String role = service.getValue();
      if (role.equals("simulator")) {
        continue;
      }
      int admin = RoleJars.freePort();
      adminPorts.put(service.getKey(), admin);
      addresses.put(service.getKey() + ":" + (role.equals("fanout") ? 8090 : 8089), "127.0.0.1:" + admin);
      if (role.equals("fanout")) {
        int http = RoleJars.freePort();
        httpPorts.put(service.getKey(), http);
        addresses.put(service.getKey() + ":8080", "127.0.0.1:" + http);
      }
      addresses.put(service.getKey() + ":5701", "127.0.0.1:" + (clusterBase + n++));
    }

    Map<String, Map<String, String>> images = Dockerfile.read(DOCKER.resolve("Dockerfile"));
    String clusterName = "compose-" + clusterBase;
    for (Map.Entry<String, String> service : roles.entrySet()) {
      String name = service.getKey();
      String role = service.getValue();
      if (role.equals("simulator")) {
        continue;
      }
      Map<String, String> env = new LinkedHashMap<>(images.get(role));
      services.get(name).path("environment").properties().forEach(e ->
          env.put(e.getKey(), substitute(interpolate(e.getValue().asText(), interpolation))));
      // What differs on loopback: every node on 127.0.0.1 with a port of its own, in a cluster of its own.
      String cluster = addresses.get(name + ":5701");
      env.put("TICKSTREAM_CLUSTER_INTERFACE", "127.0.0.1");
      env.put("TICKSTREAM_CLUSTER_PORT", cluster.substring(cluster.indexOf(':') + 1));
      env.put("TICKSTREAM_CLUSTER_NAME", clusterName);
      String prefix = role.equals("fanout") ? "TICKSTREAM_FANOUT_" : "TICKSTREAM_INGEST_";
      assertThat(env).as("the %s image binds its admin port for probes from outside the container", role)
          .containsEntry(prefix + "ADMIN_HOST", "0.0.0.0");
      env.put(prefix + "ADMIN_HOST", "127.0.0.1");
      env.put(prefix + "ADMIN_PORT", String.valueOf(adminPorts.get(name)));
      if (role.equals("fanout")) {
        env.put("TICKSTREAM_FANOUT_HOST", "127.0.0.1");
        env.put("TICKSTREAM_FANOUT_PORT", String.valueOf(httpPorts.get(name)));
      }
      env.put("TICKSTREAM_TOPIC_NAME", clusterName);
      env.put("TICKSTREAM_TOPIC_PARTITIONS", "2");
      List<String> jvm = new ArrayList<>();
      for (String options : List.of("JAVA_BASE_OPTS", "JAVA_GC_OPTS")) {
        String value = env.remove(options);
        if (value != null && !value.isBlank()) {
          jvm.addAll(List.of(value.trim().split("\\s+")));
        }
      }
      env.remove("JAVA_OPTS");
      env.remove("HEALTH_PORT");
      if (Runtime.version().feature() < 23) {
        jvm.remove("--sun-misc-unsafe-memory-access=allow");
      }
      jvm.add("-Xmx256m"); // JAVA_OPTS of an operator on a shared 2-core machine
      List<String> command = new ArrayList<>();
      services.get(name).path("command").forEach(c -> command.add(substitute(c.asText())));
      processes.add(RoleJars.launch(RoleJars.jar(JARS.get(role)), jvm, env, command,
          Path.of("target/compose-" + name + ".log")));
    }
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
  void theComposeServicesFormOneClusterAndDeliverTicksThroughHaproxy() throws Exception {
    String fanout1 = serviceOf("fanout", 0);
    String fanout2 = serviceOf("fanout", 1);
    await().atMost(Duration.ofSeconds(120)).ignoreExceptions().untilAsserted(() ->
        assertThat(clusterRoles(adminPorts.get(fanout1))).containsExactlyInAnyOrder("fanout", "fanout", "ingest", "ingest"));
    assertThat(firstTick(httpPorts.get(fanout2), "/ws/btcusdt@bookTicker").getString("s")).isEqualTo("BTCUSDT");
    for (String ops : List.of("/health/ready", "/metrics", "/cluster")) {
      // One GET may time out while the 2 shared cores are busy: ask again, the answer must be 404.
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
          assertThat(get(httpPorts.get(fanout1), ops).status()).as(ops + " on the client port").isEqualTo(404));
    }

    for (Map.Entry<String, Integer> node : adminPorts.entrySet()) {
      assertThat(healthcheck(node.getValue(), "/health/live")).as("the image's HEALTHCHECK against " + node.getKey())
          .isEqualTo(0);
      assertThat(get(node.getValue(), "/metrics").body()).as(node.getKey() + " /metrics").contains("jvm_memory_used_bytes");
    }
    assertThat(healthcheck(RoleJars.freePort(), "/health/live")).as("nothing listening: unhealthy").isNotEqualTo(0);

    Path haproxy = onPath("haproxy");
    RoleJars.requireOrSkip(haproxy != null, "haproxy is not installed (apt-get install haproxy): the load balancer part is skipped");
    int lbPort = RoleJars.freePort();
    Path cfg = Path.of("target/compose-haproxy.cfg");
    String haproxyCfg = Files.readString(DOCKER.resolve("haproxy/haproxy.cfg"));
    for (String fanout : httpPorts.keySet()) {
      // Health checks go to each node's admin port: on loopback every node has one of its own.
      String checked = haproxyCfg.replaceAll("(?m)^(\\s*server " + fanout + " \\S+) port 8090$", "$1 port " + adminPorts.get(fanout));
      assertThat(checked).as("haproxy checks %s on its admin port", fanout).isNotEqualTo(haproxyCfg);
      haproxyCfg = checked;
    }
    Files.writeString(cfg, substitute(haproxyCfg
        .replace("bind :8080", "bind 127.0.0.1:" + lbPort)
        .replace("bind :8404", "bind 127.0.0.1:" + RoleJars.freePort())
        // Sized for the container's nofile limit; HAProxy refuses to start where it cannot raise its own that far
        // (these machines cap open files at 20,000).
        .replaceAll("(?m)^(\\s*)maxconn \\d+", "$1maxconn 2000")));
    Process lb = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString()).redirectErrorStream(true)
        .redirectOutput(Path.of("target/compose-haproxy.log").toFile()).start();
    processes.add(lb);
    // HAProxy answers 503 until a node passed its health check (/health/ready on the admin port); then the board.
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(lbPort, "/").status() == 200);
    assertThat(get(lbPort, "/metrics").status()).as("no operations endpoint through the load balancer").isEqualTo(404);

    assertThat(firstTick(lbPort, "/ws/ethusdt@bookTicker").getString("s")).as("WebSocket through HAProxy").isEqualTo("ETHUSDT");
    // Each session's xhr_send must reach the node holding the session: several sessions, so a balancer that does not
    // pin them would send some to the other node (404) and fail this.
    for (int i = 0; i < 4; i++) {
      assertThat(sockjsXhrStreamingTick(lbPort, "s" + i + "-" + System.nanoTime()).getString("stream"))
          .as("SockJS xhr-streaming session %d through HAProxy", i).isEqualTo("btcusdt@bookTicker");
    }
    // HAProxy logs every request, but not its query string: keys ride there (?apiKey=, ?token=).
    assertThat(get(lbPort, "/index.html?apiKey=do-not-log-me").status()).isEqualTo(200);
    Path lbLog = Path.of("target/compose-haproxy.log");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(lbLog).contains("\"GET /index.html HTTP/1.1\""));
    assertThat(Files.readString(lbLog)).doesNotContain("do-not-log-me");
  }

  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    Path compose = onPath("docker-compose");
    RoleJars.requireOrSkip(compose != null, "docker-compose is not installed (apt-get install docker-compose)");
    for (List<String> extra : List.of(List.<String>of(), List.of("--env-file", DOCKER.resolve("simulator.env").toString()))) {
      List<String> cmd = new ArrayList<>(List.of(compose.toString(), "-f", DOCKER.resolve("compose.yaml").toString()));
      cmd.addAll(extra);
      cmd.addAll(List.of("config", "-q"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isEqualTo(0);
    }
  }

  // ---- the stack ----

  private static String serviceOf(String role, int index) {
    return roles.entrySet().stream().filter(e -> e.getValue().equals(role)).map(Map.Entry::getKey).toList().get(index);
  }

  /** {@code service:port} of the compose file -> its loopback address, and a bare {@code service} -> 127.0.0.1. */
  private static String substitute(String text) {
    String out = text;
    for (Map.Entry<String, String> a : addresses.entrySet()) {
      out = out.replace(a.getKey(), a.getValue());
    }
    return out;
  }

  /** Compose's {@code ${NAME:-default}} and {@code ${NAME}}, from the env file (not this shell: reproducible). */
  private static String interpolate(String value, Map<String, String> vars) {
    Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}").matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = vars.get(m.group(1));
      m.appendReplacement(sb, Matcher.quoteReplacement(v != null && !v.isEmpty() ? v : m.group(2) == null ? "" : m.group(2)));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static Map<String, String> envFile(Path file) throws IOException {
    Map<String, String> vars = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && !line.startsWith("#") && line.contains("=")) {
        vars.put(line.substring(0, line.indexOf('=')).trim(), line.substring(line.indexOf('=') + 1).trim());
      }
    }
    return vars;
  }

  private static String hostPort(String url) {
    return url.replaceFirst("^[a-z]+://", "").replaceFirst("/.*$", "");
  }

  // ---- clients ----

  private static List<String> clusterRoles(int port) throws Exception {
    return new JsonObject(get(port, "/cluster").body()).getJsonArray("members").stream()
        .map(m -> ((JsonObject) m).getString("role")).toList();
  }

  private record HttpResult(int status, String body) {
  }

  private static HttpResult get(int port, String path) throws Exception {
    return client.createHttpClient().request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send()).compose(resp -> resp.body().map(b -> new HttpResult(resp.statusCode(), b.toString())))
        .await(5, TimeUnit.SECONDS);
  }

  /** The first tick on {@code path}; retried while the node does not know the symbol yet (HTTP 400). */
  private static JsonObject firstTick(int port, String path) {
    ConcurrentLinkedQueue<JsonObject> ticks = new ConcurrentLinkedQueue<>();
    WebSocket ws = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> client.createWebSocketClient()
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path))
        .await(10, TimeUnit.SECONDS), w -> w != null);
    ws.textMessageHandler(text -> ticks.add(new JsonObject(text)));
    JsonObject tick = await().atMost(Duration.ofSeconds(30)).until(ticks::peek, t -> t != null);
    ws.close();
    return tick;
  }

  /** A SockJS xhr-streaming session: open, SUBSCRIBE through xhr_send, the first tick (a combined-stream message). */
  private static JsonObject sockjsXhrStreamingTick(int port, String session) throws Exception {
    HttpClient http = client.createHttpClient();
    String base = "/sockjs/000/" + session + "/";
    ConcurrentLinkedQueue<JsonObject> messages = new ConcurrentLinkedQueue<>();
    StringBuilder stream = new StringBuilder();
    HttpClientResponse response = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http
        .request(HttpMethod.POST, port, "127.0.0.1", base + "xhr_streaming").compose(req -> req.send().map(resp -> {
          resp.handler(chunk -> {
            synchronized (stream) {
              stream.append(chunk.toString());
              int nl;
              while ((nl = stream.indexOf("\n")) >= 0) {
                String frame = stream.substring(0, nl);
                stream.delete(0, nl + 1);
                if (frame.startsWith("a[")) {
                  new JsonArray(frame.substring(1)).forEach(m -> messages.add(new JsonObject((String) m)));
                } else if (frame.equals("o")) {
                  messages.add(new JsonObject().put("open", true));
                }
              }
            }
          });
          return resp;
        })).await(10, TimeUnit.SECONDS), r -> r.statusCode() == 200);
    await().atMost(Duration.ofSeconds(20)).until(() -> messages.stream().anyMatch(m -> m.containsKey("open")));
    String subscribe = new JsonArray().add("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\"],\"id\":1}").encode();
    int sent = http.request(HttpMethod.POST, port, "127.0.0.1", base + "xhr_send")
        .compose(req -> req.send(Buffer.buffer(subscribe))).map(HttpClientResponse::statusCode).await(10, TimeUnit.SECONDS);
    assertThat(sent).as("xhr_send of session " + session + " reached the node holding it").isEqualTo(204);
    JsonObject tick = await().atMost(Duration.ofSeconds(30))
        .until(() -> messages.stream().filter(m -> m.containsKey("stream")).findFirst().orElse(null), t -> t != null);
    response.request().connection().close();
    http.close();
    return tick;
  }

  /** Runs docker/healthcheck.sh as the image's HEALTHCHECK does; its exit status. */
  private static int healthcheck(int port, String path) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", DOCKER.resolve("healthcheck.sh").toString(), path).redirectErrorStream(true);
    pb.environment().put("HEALTH_PORT", String.valueOf(port));
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  private static Path onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, command);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** The {@code ENV} of each role's image: the runtime stage's, then its own (later wins), unquoted. */
  static final class Dockerfile {

    private static final Pattern STAGE = Pattern.compile("^FROM\\s+(\\S+)\\s+AS\\s+(\\S+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");

    static Map<String, Map<String, String>> read(Path file) throws IOException {
      Map<String, Map<String, String>> stages = new LinkedHashMap<>();
      String stage = null;
      StringBuilder instruction = new StringBuilder();
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("#") || (instruction.isEmpty() && line.isBlank())) {
          continue;
        }
        instruction.append(line.endsWith("\\") ? line.substring(0, line.length() - 1) : line).append(' ');
        if (line.endsWith("\\")) {
          continue;
        }
        String text = instruction.toString().trim();
        instruction.setLength(0);
        Matcher from = STAGE.matcher(text);
        if (from.find()) {
          stage = from.group(2);
          Map<String, String> env = new LinkedHashMap<>(stages.getOrDefault(from.group(1), Map.of()));
          stages.put(stage, env);
        } else if (text.startsWith("ENV ") && stage != null) {
          Matcher pair = PAIR.matcher(text.substring(4));
          while (pair.find()) {
            stages.get(stage).put(pair.group(1), pair.group(2).replaceAll("^\"|\"$", ""));
          }
        }
      }
      return stages;
    }
  }
}
