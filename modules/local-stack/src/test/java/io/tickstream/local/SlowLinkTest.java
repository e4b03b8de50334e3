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
 * away) and stays under the same bound.
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
  private static final int RUN_SECONDS = 50;
  /** Four clients and their JVMs start at once on two cores: the steady state is counted from here. */
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
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
        "-jar", RoleJars.jar("loadgen").toString(),
        "--url", "ws://" + host.nodeAddress() + ":" + stack.fanoutPort(), "--connections", "1", "--all-symbols",
        "--mode", mode, "--duration", RUN_SECONDS + "s", "--settle", "5s", "--window", "10s",
        "--view-age", "--json-out", report(name).toString()));
    Process p = new ProcessBuilder(NetworkNamespaces.inNamespace(host.namespace(), cmd)).redirectErrorStream(true)
        .redirectOutput(new File("target/slowlink-" + name + ".log")).start();
    clients.add(p);
    return p;
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
        assertThat(p99).as("%s window %s", where, w.encode()).isLessThan(P99_BOUND_MICROS);
        steadyP99s.add(p99);
      }
      Collections.sort(steadyP99s);
      assertThat(steadyP99s.get(steadyP99s.size() / 2)).as("%s: the median steady window's p99 age, of %s", where,
          steadyP99s).isLessThan(P99_TARGET_MICROS);
      if (name.startsWith("fast")) {
        assertThat(conflatedInSteadyState).as("%s: a client that keeps up loses nothing", where).isZero();
      } else {
        assertThat(conflatedInSteadyState).as("%s: the link cannot carry every tick", where).isPositive();
      }
    }
  }
}
