package io.tickstream.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Issue 19, as it happens on the internet: clients in network namespaces of their own, behind veth links that
 * {@code tc tbf} limits to 1 Mbit/s (the link's own queue then holds about 0.3 s), next to a client on an unlimited
 * link, all subscribed to {@code !bookTicker} with the simulator at 1,000 ticks/s (about 1.4 Mbit/s of JSON): more than
 * a slow link carries. The node is {@code ./tickstream local} in this JVM, listening on every interface; each client is
 * the load generator's jar run in its namespace, reporting the age of what it receives ({@code now - pt}) per 10 s
 * window, and the age of its view of each symbol.
 *
 * <p>What must hold on the slow links, on the WebSocket transport and on SockJS's streaming transports (websocket and
 * xhr-streaming), once the clients have started ({@link #STEADY_FROM_SECONDS}): every 10 s window's p99 age of
 * received ticks is under 1.5 s, and the median window's under the 800 ms (0.45-0.65 s measured at load 8 on
 * the WebSocket transports, 0.65-0.7 s on xhr-streaming; 4.2 s before issue 19, steadily); every window carries
 * ticks; {@code u} never goes back; nothing is closed while the client reads. The fast client loses nothing in those windows (no update conflated
 * away) and stays under the same bound. A fifth client, on a 256 kbit/s link, subscribes to the 50 most active symbols
 * (the simulator lists its symbols most active first): the target there, 1.5 s, holds on its median steady
 * window and twice that on every one (1.0-1.5 s measured on a quiet machine).
 *
 * <p>Needs root and iproute2's {@code ip} and {@code tc} (skipped without them, failing under {@code CI=true}) and the
 * load generator's jar ({@link RoleJars}). Tagged {@code netns} and {@code multiprocess}.
 */
@Tag("multiprocess")
@Tag("netns")
class SlowLinkTest {

  /**
   * Issue 19's target for the p99 age at 1 Mbit/s, which the steady state's median window must meet on every transport
   * (measured 0.45-0.65 s on the WebSocket transports on a machine at load 8, 0.65-0.7 s on xhr-streaming:
   * docs/benchmarks.md).
   */
  private static final long P99_TARGET_MICROS = 800_000;
  /** ... and the bound every steady window must meet, a noisy two-core CI machine's second or two included. */
  private static final long P99_BOUND_MICROS = 1_500_000;
  /** Issue 19's target at 256 kbit/s for the 50 most active symbols, and the bound every steady window must meet there. */
  private static final long TOP_P99_TARGET_MICROS = 1_500_000;
  private static final long TOP_P99_BOUND_MICROS = 3_000_000;
  private static final int TOP_SYMBOLS = 50;
  private static final int RUN_SECONDS = 50;
  /** Five clients and their JVMs start at once on two cores: the steady state is counted from here. */
  private static final int STEADY_FROM_SECONDS = 20;

  private static NetworkNamespaces net;
  private static LocalStack stack;
  private static final List<Process> clients = new ArrayList<>();

  @BeforeAll
  static void requireNamespaces() {
    String why = NetworkNamespaces.unavailableBecause();
    if (why != null && "true".equals(System.getenv("CI"))) {
      fail("CI=true but the slow-link test cannot run: " + why + " (CI must run as root with iproute2)");
    }
    Assumptions.assumeTrue(why == null, () -> "slow-link test skipped: " + why);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : clients) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (stack != null) {
      stack.stop();
    }
    if (net != null) {
      net.close();
    }
  }

  /** A client host: a namespace with a link to the root namespace (where the node listens), rate-limited or not. */
  private record Host(String namespace, String nodeAddress) {
  }

  private static Host host(String name, String prefix, int index, String rate) throws IOException {
    String ns = net.namespace(name);
    String rootAddress = prefix + (4 * index + 1);
    String rootEnd = net.link("l" + index, null, rootAddress + "/30", ns, prefix + (4 * index + 2) + "/30");
    if (rate != null) {
      // Towards the client: the node's data crosses this queue, as on a slow access link.
      net.shape(rootEnd, rate);
    }
    return new Host(ns, rootAddress);
  }

  /** Starts the load generator's jar in {@code host}'s namespace: one connection of {@code mode} to !bookTicker. */
  private static Process loadgen(Host host, String mode, String name) throws IOException {
    return loadgen(host, mode, name, List.of("--all-symbols"));
  }

  /** ... or to {@code subscription} (load generator arguments). */
  private static Process loadgen(Host host, String mode, String name, List<String> subscription) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
        "-jar", RoleJars.jar("loadgen").toString(),
        "--url", "ws://" + host.nodeAddress() + ":" + stack.fanoutPort(), "--connections", "1"));
    cmd.addAll(subscription);
    cmd.addAll(List.of("--mode", mode, "--duration", RUN_SECONDS + "s", "--settle", "5s", "--window", "10s",
        "--view-age", "--json-out", report(name).toString()));
    Process p = new ProcessBuilder(NetworkNamespaces.inNamespace(host.namespace(), cmd)).redirectErrorStream(true)
        .redirectOutput(new File("target/slowlink-" + name + ".log")).start();
    clients.add(p);
    return p;
  }

  /**
   * The simulator's {@code n} most active trading symbols (it lists them most active first), once the node accepts a
   * subscription to all of them: a symbol that has not ticked yet is unknown to the node.
   */
  private static List<String> mostActive(int n) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String info = http.send(HttpRequest.newBuilder(URI.create(stack.simulator().restUrl() + "/api/v3/exchangeInfo"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    List<String> top = new JsonObject(info).getJsonArray("symbols").stream().map(JsonObject.class::cast)
        .filter(sym -> "TRADING".equals(sym.getString("status"))).map(sym -> sym.getString("symbol")).limit(n).toList();
    URI streams = URI.create("ws://127.0.0.1:" + stack.fanoutPort() + "/stream?streams="
        + top.stream().map(sym -> sym.toLowerCase() + "@bookTicker").collect(Collectors.joining("/")));
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
      WebSocket ws = http.newWebSocketBuilder().buildAsync(streams, new WebSocket.Listener() { })
          .get(10, TimeUnit.SECONDS);
      ws.abort();
      return true;
    });
    return top;
  }

  private static Path report(String name) {
    return Path.of("target/slowlink-" + name + ".json").toAbsolutePath();
  }

  @Test
  void slowLinksGetFreshConflatedTicksAndTheFastClientLosesNothing() throws Exception {
    int clusterPort = ThreadLocalRandom.current().nextInt(40_000, 60_000);
    stack = LocalStackMain.start(new String[]{"--exchange=simulator", "--kafka-port=0", "--fanout.port=0",
        "--fanout.host=0.0.0.0", "--fanout.admin-port=0", "--ingest.admin-port=0", "--simulator.port=0",
        "--simulator.tick-rate=1000", "--cluster.port=" + clusterPort, "--cluster.members=127.0.0.1:" + clusterPort,
        "--cluster.name=slowlink-" + clusterPort}, Map.of(), new PrintWriter(new StringWriter())).orElseThrow();
    await().atMost(Duration.ofSeconds(60)).until(stack::ready);

    net = new NetworkNamespaces();
    String prefix = NetworkNamespaces.freeRootPrefix();
    Map<String, Process> runs = new LinkedHashMap<>();
    runs.put("slow-ws", loadgen(host("slowws", prefix, 0, "1mbit"), "raw", "slow-ws"));
    runs.put("slow-sockjs", loadgen(host("slowsj", prefix, 1, "1mbit"), "sockjs", "slow-sockjs"));
    runs.put("slow-xhr", loadgen(host("slowxhr", prefix, 2, "1mbit"), "sockjs-xhr", "slow-xhr"));
    runs.put("fast-ws", loadgen(host("fastws", prefix, 3, null), "raw", "fast-ws"));
    runs.put("slow-top", loadgen(host("slowtop", prefix, 4, "256kbit"), "combined", "slow-top",
        List.of("--symbols", String.valueOf(TOP_SYMBOLS), "--symbol-list", String.join(",", mostActive(TOP_SYMBOLS)))));
    for (Map.Entry<String, Process> run : runs.entrySet()) {
      assertThat(run.getValue().waitFor(RUN_SECONDS + 60, TimeUnit.SECONDS)).as("%s finished", run.getKey()).isTrue();
      assertThat(run.getValue().exitValue()).as("%s: see target/slowlink-%s.log", run.getKey(), run.getKey()).isZero();
    }

    for (String name : runs.keySet()) {
      JsonObject r = new JsonObject(Files.readString(report(name)));
      String where = name + " (target/slowlink-" + name + ".json)";
      assertThat(r.getLong("connectionsWithTicks")).as(where).isEqualTo(1);
      assertThat(r.getLong("outOfOrder")).as("%s: u never goes back", where).isZero();
      assertThat(r.getJsonObject("closesByCode")).as("%s: never closed while reading", where).isEmpty();
      JsonArray windows = r.getJsonArray("windows");
      assertThat(windows.size()).as(where).isGreaterThanOrEqualTo(4);
      long conflatedInSteadyState = 0;
      List<Long> steadyP99s = new ArrayList<>();
      for (int i = 0; i < windows.size(); i++) {
        JsonObject w = windows.getJsonObject(i);
        if (w.getDouble("fromSeconds") < STEADY_FROM_SECONDS - 1) {
          continue;
        }
        conflatedInSteadyState += w.getLong("conflatedUpdates");
        // A stream that stops has no age to measure: every window must have carried ticks.
        assertThat(w.getLong("ticks")).as("%s window %s: the stream goes on", where, w.encode()).isPositive();
        long p99 = w.getJsonObject("ageMicros").getLong("p99");
        assertThat(p99).as("%s window %s", where, w.encode())
            .isLessThan(name.equals("slow-top") ? TOP_P99_BOUND_MICROS : P99_BOUND_MICROS);
        steadyP99s.add(p99);
      }
      Collections.sort(steadyP99s);
      assertThat(steadyP99s.get(steadyP99s.size() / 2)).as("%s: the median steady window's p99 age, of %s", where,
          steadyP99s).isLessThan(name.equals("slow-top") ? TOP_P99_TARGET_MICROS : P99_TARGET_MICROS);
      if (name.startsWith("fast")) {
        assertThat(conflatedInSteadyState).as("%s: a client that keeps up loses nothing", where).isZero();
      } else {
        assertThat(conflatedInSteadyState).as("%s: the link cannot carry every tick", where).isPositive();
      }
    }
  }
}
