package io.tickstream.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tickstream.common.config.Config;
import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import io.tickstream.simulator.ExchangeSimulator;
import io.tickstream.simulator.SimulatorSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code deploy/kubernetes/overlays/laptop}, rendered by {@code kubectl kustomize}, run without Kubernetes: every
 * ingest and fanout pod of the render becomes a process on loopback started as its container starts (the image's
 * {@code ENV} from {@code docker/Dockerfile} under the container's {@code env}, the command line of
 * {@code docker/entrypoint.sh}'s {@code exec java ...} with the variables it names expanded, no arguments: the
 * containers set none). Then, in order: the pods form one cluster and deliver ticks; and a rolling deploy of both
 * Deployments, done as the Deployment controller and the kubelet do it, keeps reconnecting clients served (see
 * {@link #aRollingDeployOfBothDeploymentsKeepsReconnectingClientsServed()}).
 *
 * <p><b>What differs from a cluster</b>, and nothing else: every {@code TICKSTREAM_*} variable and
 * {@code JAVA_TOOL_OPTIONS} of a container is passed through unchanged unless listed here ({@link #SUBSTITUTED}
 * is checked against the environment each pod got).
 * <ul>
 *   <li>Downward API: {@code status.podIP} (so {@code TICKSTREAM_CLUSTER_INTERFACE}) is {@code 127.0.0.1};
 *       {@code metadata.namespace} is the rendered namespace, as in a pod.</li>
 *   <li>Service DNS names: {@code tickstream-kafka:9092} is the project's embedded broker in this JVM,
 *       {@code tickstream-simulator:9443} the exchange simulator in this JVM (few symbols, a fast tick rate, not the
 *       simulator Deployment's 200 symbols at 200 ticks/s). Any other rendered Service name left in a value fails.</li>
 *   <li>Discovery: {@code TICKSTREAM_CLUSTER_DISCOVERY=kubernetes} (which asks the API server for the
 *       {@code tickstream-hazelcast} endpoints) becomes {@code tcp-ip} with {@code TICKSTREAM_CLUSTER_MEMBERS}
 *       listing every loopback Hazelcast port a pod of this test may use, which is what the headless Service's
 *       endpoints are. {@code TICKSTREAM_CLUSTER_KUBERNETES_*} stay as rendered and go unused.</li>
 *   <li>Ports: pods share one address here, so each gets its own {@code TICKSTREAM_CLUSTER_PORT},
 *       {@code TICKSTREAM_CLUSTER_EVENT_BUS_PORT}, client port ({@code TICKSTREAM_FANOUT_PORT}) and admin port
 *       ({@code TICKSTREAM_FANOUT_ADMIN_PORT}, {@code TICKSTREAM_INGEST_ADMIN_PORT}) instead of 5701, 5710, 8080, 8090
 *       and 8089, and binds them on {@code 127.0.0.1} instead of {@code 0.0.0.0} ({@code TICKSTREAM_FANOUT_HOST},
 *       {@code TICKSTREAM_FANOUT_ADMIN_HOST}, {@code TICKSTREAM_INGEST_ADMIN_HOST}).</li>
 *   <li>{@code TICKSTREAM_CLUSTER_ALLOWED_MEMBERS}: {@code 127.0.0.1/32}, where the pod network's addresses stand in
 *       as 127.0.0.1; the manifest's value must still be set (and is checked to be).</li>
 *   <li>{@code TICKSTREAM_CLUSTER_NAME}: unique per run, so that no other test's nodes join.</li>
 *   <li>{@code TICKSTREAM_FANOUT_DRAIN_DELAY} and {@code TICKSTREAM_FANOUT_DRAIN_WINDOW}: {@link #DRAIN_DELAY} and
 *       {@link #DRAIN_WINDOW} instead of the manifest's 5 s and 20 s, to keep CI time small; the sequence (preStop
 *       sleep, SIGTERM, serverShutdown, delay, 1012 closes spread over the window) is the manifest's, and the
 *       preStop sleep and the grace period are the manifest's own.</li>
 *   <li>JVM: {@code -XX:MaxRAM=} the container's memory limit (what the JVM reads from the pod's cgroup, so that
 *       {@code MaxRAMPercentage} sizes the heap as in the pod), and {@code -XX:TieredStopAtLevel=1} (C1 only: JVMs
 *       starting during the rollout share two cores with everything else here, as {@link FaultsProcessTest} does).</li>
 * </ul>
 *
 * <p>Needs {@code kubectl} on the PATH (skipped without it, failing under {@code CI=true}) and the role jars
 * ({@link RoleJars}). Starts three JVMs, then three more during the rollout. Tagged {@code multiprocess}.
 */
@Tag("multiprocess")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesStackTest {

  static final Path KUBERNETES = RoleJars.root().resolve("deploy/kubernetes");
  static final String OVERLAY = "laptop";
  static final Duration DRAIN_DELAY = Duration.ofSeconds(1);
  static final Duration DRAIN_WINDOW = Duration.ofSeconds(3);
  /** Every variable of a container that this test does not pass through unchanged (see the class Javadoc). */
  static final Set<String> SUBSTITUTED = Set.of("TICKSTREAM_CLUSTER_INTERFACE", "TICKSTREAM_KAFKA_BOOTSTRAP_SERVERS",
      "TICKSTREAM_INGEST_REST_URL", "TICKSTREAM_INGEST_WS_URL", "TICKSTREAM_CLUSTER_DISCOVERY",
      "TICKSTREAM_CLUSTER_MEMBERS", "TICKSTREAM_CLUSTER_PORT", "TICKSTREAM_CLUSTER_EVENT_BUS_PORT",
      "TICKSTREAM_FANOUT_PORT", "TICKSTREAM_FANOUT_HOST", "TICKSTREAM_FANOUT_ADMIN_PORT", "TICKSTREAM_FANOUT_ADMIN_HOST",
      "TICKSTREAM_INGEST_ADMIN_PORT", "TICKSTREAM_INGEST_ADMIN_HOST", "TICKSTREAM_CLUSTER_ALLOWED_MEMBERS",
      "TICKSTREAM_CLUSTER_NAME", "TICKSTREAM_FANOUT_DRAIN_DELAY", "TICKSTREAM_FANOUT_DRAIN_WINDOW");
  /**
   * Few symbols ticking fast: the quietest (rank 6 of the simulator's Zipf schedule) still ticks about 14 times a
   * second, so a symbol silent for a second at a connected client means the system stopped delivering it.
   */
  static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT");
  static final long TICK_RATE = 200;
  /** Clients of the rolling deploy, each following every symbol. */
  static final int CLIENTS = 12;
  /** The client Service's endpoints: the fanout pods ready and not terminating (HTTP ports). */
  static final List<Integer> fanoutEndpoints = new CopyOnWriteArrayList<>();
  /**
   * The rollouts' threads and the kubelet's timers: not the common pool, whose one thread on a two-core machine the
   * rollouts' waits for readiness would hold, delaying a preStop's end by the length of a start (seen: 14 s for 5).
   */
  private static final ExecutorService kubelet = Executors.newCachedThreadPool();
  /** What the rollout did, when (the clients' clock, ms), for a failure's story. */
  private static final List<String> timeline = new CopyOnWriteArrayList<>();
  private static final String QUICK_START = "-XX:TieredStopAtLevel=1";
  private static final Map<String, String> JARS = Map.of("ingest", "ingest-verticle", "fanout", "fanout-verticle");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static final Vertx vertx = Vertx.vertx();
  private static EmbeddedKafkaBroker broker;
  private static ExchangeSimulator simulator;
  /** Every process started, for the clean-up. */
  private static final List<Process> processes = new CopyOnWriteArrayList<>();
  /** The pods alive (not yet terminated), in start order. */
  static final List<Pod> pods = new CopyOnWriteArrayList<>();
  /** Rendered Deployment by role. */
  static final Map<String, Workload> workloads = new LinkedHashMap<>();
  private static final Map<String, String> serviceAddresses = new LinkedHashMap<>();
  private static final List<String> renderedServices = new ArrayList<>();
  private static List<Integer> clusterPorts;
  private static String clusterName;
  private static String namespace;
  private static Map<String, Map<String, String>> images;
  private static List<String> entrypoint;
  private static int launched;

  /**
   * One pod: its role, process, client port (fanout; -1 for an ingest) and admin port on loopback, the environment and
   * JVM flags it was started with.
   */
  record Pod(String name, String role, Process process, int httpPort, int adminPort, Map<String, String> env,
             List<String> jvm) {
  }

  /** A rendered Deployment's container, and what the rollout needs from its pod spec. */
  record Workload(String role, int replicas, Map<String, Object> container, long preStopSeconds, long graceSeconds,
                  int maxSurge, int maxUnavailable, long memoryLimitBytes) {
  }

  @BeforeAll
  static void start() throws Exception {
    Path kubectl = onPath("kubectl");
    RoleJars.requireOrSkip(kubectl != null, "kubectl is not installed: the rendered Kubernetes manifests cannot be run");
    List<Map<String, Object>> objects = render(kubectl, KUBERNETES.resolve("overlays").resolve(OVERLAY));
    for (Map<String, Object> o : objects) {
      if ("Service".equals(o.get("kind"))) {
        renderedServices.add(name(o));
      }
      if (!"Deployment".equals(o.get("kind"))) {
        continue;
      }
      Map<String, Object> pod = map(path(o, "spec", "template", "spec"));
      for (Object c : list(pod.get("containers"))) {
        Map<String, Object> container = map(c);
        String role = (String) container.get("name");
        if (!JARS.containsKey(role)) {
          continue;
        }
        namespace = (String) path(o, "metadata", "namespace");
        Object preStop = path(container, "lifecycle", "preStop", "sleep", "seconds");
        workloads.put(role, new Workload(role, ((Number) path(o, "spec", "replicas")).intValue(), container,
            preStop == null ? 0 : ((Number) preStop).longValue(),
            ((Number) pod.get("terminationGracePeriodSeconds")).longValue(),
            intOf(path(o, "spec", "strategy", "rollingUpdate", "maxSurge")),
            intOf(path(o, "spec", "strategy", "rollingUpdate", "maxUnavailable")),
            bytes((String) path(container, "resources", "limits", "memory"))));
      }
    }
    assertThat(workloads).as("ingest and fanout Deployments of the %s overlay", OVERLAY).containsOnlyKeys("ingest", "fanout");

    broker = EmbeddedKafkaBroker.builder().host("127.0.0.1").port(EmbeddedKafkaBroker.FREE_PORT).build().start();
    simulator = ExchangeSimulator.create(Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.SYMBOLS, SYMBOLS).with(SimulatorSettings.TICK_RATE, TICK_RATE))
        .start().await(30, TimeUnit.SECONDS);
    String simulatorAddress = simulator.restUrl().replaceFirst("^[a-z]+://", "").replaceFirst("/.*$", "");
    serviceAddresses.put(servicePort(objects, "tickstream-kafka"), broker.bootstrapServers());
    serviceAddresses.put(servicePort(objects, "tickstream-simulator"), simulatorAddress);

    // Room for every pod the rollout ever runs at once and after: old and new of each Deployment.
    int slots = workloads.values().stream().mapToInt(w -> 2 * w.replicas() + w.maxSurge()).sum();
    int base = ThreadLocalRandom.current().nextInt(30_000, 40_000);
    clusterPorts = IntStream.range(0, slots).mapToObj(i -> base + i).toList();
    clusterName = "k8s-" + base;
    images = ComposeStackTest.Dockerfile.read(RoleJars.root().resolve("docker/Dockerfile"));
    entrypoint = entrypoint(RoleJars.root().resolve("docker/entrypoint.sh"));

    for (Workload w : workloads.values()) {
      for (int i = 0; i < w.replicas(); i++) {
        startPod(w);
      }
    }
    for (Pod p : List.copyOf(pods)) {
      awaitReady(p);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    kubelet.shutdownNow();
    vertx.close().await(10, TimeUnit.SECONDS);
    if (simulator != null) {
      simulator.close().await(10, TimeUnit.SECONDS);
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Order(1)
  void theRenderedPodsFormOneClusterAndDeliverTicks() throws Exception {
    List<String> expected = new ArrayList<>();
    workloads.values().forEach(w -> IntStream.range(0, w.replicas()).forEach(i -> expected.add(w.role())));
    for (Pod fanout : pods("fanout")) {
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
          assertThat(clusterRoles(fanout.adminPort())).as("members seen by " + fanout.name())
              .containsExactlyInAnyOrderElementsOf(expected));
      JsonObject tick = ReconnectingClient.firstTick(vertx, fanout.httpPort(), "/ws/" + SYMBOLS.get(0).toLowerCase(Locale.ROOT) + "@bookTicker");
      assertThat(tick.getString("s")).as("a tick through " + fanout.name()).isEqualTo(SYMBOLS.get(0));
    }
    for (Pod p : pods) {
      // One GET may time out while the 2 shared cores start JVMs (seen once in CI, 5 s): ask again, the pod must answer 200.
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
          assertThat(get(p.adminPort(), "/health/ready").status()).as(p.name() + " /health/ready").isEqualTo(200));
      if (p.role().equals("fanout")) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
            assertThat(get(p.httpPort(), "/health/ready").status()).as(p.name() + " client port /health/ready").isEqualTo(404));
      }
      assertPassedThroughUnchanged(p);
      assertJvmOptionsInEffect(p);
    }
  }

  /**
   * Both Deployments roll at once, as {@code kubectl apply} of new images makes them, each as the Deployment
   * controller does with the manifest's {@code maxSurge: 1, maxUnavailable: 0}: start a new pod; once its readiness
   * path answers 200 (polled every 100 ms, quicker than the probe's period, which only makes the rollout harsher)
   * it joins the client Service's endpoints and one old pod is deleted: it leaves the endpoints at once, the
   * kubelet runs the manifest's {@code preStop} sleep, then sends SIGTERM, and SIGKILL at the manifest's
   * {@code terminationGracePeriodSeconds} after the deletion; the next new pod starts as soon as the old one is
   * terminating (it no longer counts). {@link #CLIENTS} clients follow every symbol and reconnect as Binance
   * clients do ({@link ReconnectingClient}) to a random endpoint.
   *
   * <p>Asserted: every old pod exits by itself within its grace period; every close a client sees is 1012, after a
   * {@code serverShutdown}; per symbol no client ever sees {@code u} go back, across its reconnects; every client
   * receives again within {@link #DRAIN_WINDOW} + 5 s of each close; no symbol is silent for more than a second
   * at a client while it is connected; at the end every client is on a new pod and the cluster holds the new pods.
   */
  @Test
  @Order(2)
  void aRollingDeployOfBothDeploymentsKeepsReconnectingClientsServed() throws Exception {
    for (Workload w : workloads.values()) {
      assertThat(List.of(w.maxSurge(), w.maxUnavailable())).as("%s rollout: what this test does is maxSurge 1, "
          + "maxUnavailable 0", w.role()).containsExactly(1, 0);
    }
    List<Pod> old = List.copyOf(pods);
    fanoutEndpoints.addAll(pods("fanout").stream().map(Pod::httpPort).toList());
    List<String> streams = SYMBOLS.stream().map(s -> s.toLowerCase(Locale.ROOT) + "@bookTicker").toList();
    List<ReconnectingClient> clients = IntStream.range(0, CLIENTS)
        .mapToObj(i -> new ReconnectingClient(vertx, "client-" + i, streams, () -> List.copyOf(fanoutEndpoints))).toList();
    clients.forEach(ReconnectingClient::start);
    await().atMost(Duration.ofSeconds(30)).until(() -> clients.stream().allMatch(c -> c.longestSilence().keySet()
        .containsAll(SYMBOLS)));

    long from = ReconnectingClient.nowMicros();
    rolloutStart = from;
    old.forEach(p -> event(p.name() + " is on " + p.httpPort()));
    List<CompletableFuture<List<Termination>>> rollouts = new ArrayList<>();
    for (Workload w : workloads.values()) {
      rollouts.add(CompletableFuture.supplyAsync(() -> rollout(w), kubelet));
    }
    List<Termination> terminations = new ArrayList<>();
    for (CompletableFuture<List<Termination>> r : rollouts) {
      terminations.addAll(r.get(5, TimeUnit.MINUTES));
    }
    long rolled = ReconnectingClient.nowMicros();
    List<Integer> newFanouts = pods("fanout").stream().map(Pod::httpPort).toList();
    await().atMost(DRAIN_WINDOW.plusSeconds(10)).until(() -> clients.stream()
        .allMatch(c -> c.connectedTo(newFanouts) && !c.awaitingReconnect()));
    clients.forEach(ReconnectingClient::stop);
    long to = ReconnectingClient.nowMicros();

    System.out.printf("Rolling deploy of %s: %d ms, clients on new pods %d ms later%n", workloads.keySet(),
        (rolled - from) / 1000, (to - rolled) / 1000);
    terminations.forEach(t -> System.out.println("  " + t));
    System.out.printf("  timeline, ms since the rollout began at %d ms: %s%n", from / 1000, timeline);
    Map<String, Long> silence = new TreeMap<>();
    Map<String, String> where = new TreeMap<>();
    List<Long> gaps = new ArrayList<>();
    Map<Short, Integer> closes = new TreeMap<>();
    int notices = 0;
    for (ReconnectingClient c : clients) {
      c.longestSilence().forEach((s, micros) -> {
        if (micros > silence.getOrDefault(s, 0L)) {
          silence.put(s, micros);
          where.put(s, c.whereSilence(s));
        }
      });
      gaps.addAll(c.reconnectGapsMicros());
      c.closesByCode().forEach((code, n) -> closes.merge(code, n, Integer::sum));
      notices += c.shutdownNotices();
    }
    System.out.printf("  %d clients: closes by code %s, %d serverShutdown notices, %d failed connects; "
            + "close to next message ms: max %d, all %s%n", CLIENTS, closes, notices,
        clients.stream().mapToInt(ReconnectingClient::connectFailures).sum(),
        gaps.stream().mapToLong(g -> g / 1000).max().orElse(0), gaps.stream().map(g -> g / 1000).sorted().toList());
    System.out.println("  longest silence while connected, ms: " + silence.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() / 1000, (a, b) -> a, TreeMap::new)));
    silence.forEach((s, micros) -> {
      if (micros > 500_000) {
        System.out.println("    " + s + ": " + micros / 1000 + " ms, " + where.get(s));
      }
    });

    assertThat(terminations).as("old pods").hasSize(old.size())
        .allSatisfy(t -> assertThat(t.killed()).as("%s SIGKILLed at the grace period", t.pod()).isFalse());
    assertThat(clients.stream().flatMap(c -> c.regressions().stream()).toList())
        .as("per symbol, u never goes back at a client, across its reconnects").isEmpty();
    assertThat(closes).as("every close a client saw").containsOnlyKeys((short) 1012);
    assertThat(notices).as("a serverShutdown before each 1012").isGreaterThanOrEqualTo(closes.getOrDefault((short) 1012, 0));
    assertThat(gaps).as("each close to the first message on the next connection, µs")
        .allSatisfy(g -> assertThat(g).isLessThanOrEqualTo(DRAIN_WINDOW.plusSeconds(5).toNanos() / 1000));
    assertThat(silence).allSatisfy((s, micros) -> assertThat(micros)
        .as("%s silent for %d ms at a connected client: %s", s, micros / 1000, where.get(s)).isLessThanOrEqualTo(1_000_000));
    List<String> expected = new ArrayList<>();
    workloads.values().forEach(w -> IntStream.range(0, w.replicas()).forEach(i -> expected.add(w.role())));
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
        assertThat(clusterRoles(pods("fanout").get(0).adminPort())).containsExactlyInAnyOrderElementsOf(expected));
    assertThat(pods).as("the new pods").doesNotContainAnyElementsOf(old);
  }

  private static volatile long rolloutStart;

  private static void event(String what) {
    timeline.add(String.format("+%d %s", (ReconnectingClient.nowMicros() - rolloutStart) / 1000, what));
  }

  /** One old pod's end: deleted, SIGTERM after preStop, exited (or SIGKILLed at the grace period). */
  record Termination(String pod, long preStopMillis, long exitAfterSigtermMillis, int exitCode, boolean killed) {
  }

  /** A Deployment's rolling update with maxSurge 1, maxUnavailable 0 (see the test's Javadoc). */
  private static List<Termination> rollout(Workload w) {
    List<CompletableFuture<Termination>> terminating = new ArrayList<>();
    try {
      for (Pod o : pods(w.role())) {
        Pod n = startPod(w);
        event(n.name() + " started on " + n.httpPort());
        awaitReady(n);
        event(n.name() + " ready");
        if (w.role().equals("fanout")) {
          fanoutEndpoints.add(n.httpPort());
        }
        terminating.add(terminate(w, o));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return terminating.stream().map(CompletableFuture::join).toList();
  }

  private static CompletableFuture<Termination> terminate(Workload w, Pod o) {
    fanoutEndpoints.remove(Integer.valueOf(o.httpPort()));
    pods.remove(o);
    event(o.name() + " deleted (out of the endpoints, preStop " + w.preStopSeconds() + " s)");
    long deleted = System.nanoTime();
    long[] sigterm = new long[1];
    return CompletableFuture.runAsync(() -> {
          sigterm[0] = System.nanoTime();
          o.process().destroy();
          event(o.name() + " SIGTERM");
        }, CompletableFuture.delayedExecutor(w.preStopSeconds(), TimeUnit.SECONDS, kubelet))
        .thenCompose(v -> o.process().onExit()
            .orTimeout(TimeUnit.SECONDS.toNanos(w.graceSeconds()) - (System.nanoTime() - deleted), TimeUnit.NANOSECONDS)
            .handle((p, timeout) -> {
              boolean killed = timeout != null;
              if (killed) {
                o.process().destroyForcibly();
              }
              event(o.name() + (killed ? " SIGKILL" : " exited"));
              return new Termination(o.name(), (sigterm[0] - deleted) / 1_000_000,
                  (System.nanoTime() - sigterm[0]) / 1_000_000, killed ? -9 : o.process().exitValue(), killed);
            }));
  }

  // ------------------------------------------------------------------ pods

  static List<Pod> pods(String role) {
    return pods.stream().filter(p -> p.role().equals(role)).toList();
  }

  /** A new pod of {@code w}, as the kubelet starts its container: image ENV, container env, the entrypoint's java. */
  static synchronized Pod startPod(Workload w) throws IOException {
    String name = "k8s-" + w.role() + "-" + (++launched);
    boolean fanout = w.role().equals("fanout");
    int http = fanout ? RoleJars.freePort() : -1;
    int admin = RoleJars.freePort();
    int slot = launched - 1;
    Map<String, String> env = new LinkedHashMap<>(images.get(w.role()));
    for (Object o : list(w.container().get("env"))) {
      Map<String, Object> e = map(o);
      String field = (String) path(e, "valueFrom", "fieldRef", "fieldPath");
      String value = field == null ? String.valueOf(e.get("value")) : switch (field) {
        case "status.podIP" -> "127.0.0.1";
        case "metadata.namespace" -> namespace;
        default -> throw new AssertionError("downward API field this test cannot stand in for: " + field);
      };
      for (Map.Entry<String, String> a : serviceAddresses.entrySet()) {
        value = value.replace(a.getKey(), a.getValue());
      }
      env.put((String) e.get("name"), value);
    }
    // The image's AOT cache (/app/tickstream.aot) is made when the image is built; there is no image here. Without
    // this the JVM would report the missing cache and start without the JDK's default class-data archive as well.
    env.put("JAVA_AOT_OPTS", "");
    env.put("TICKSTREAM_CLUSTER_DISCOVERY", "tcp-ip");
    env.put("TICKSTREAM_CLUSTER_MEMBERS", clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    env.put("TICKSTREAM_CLUSTER_PORT", String.valueOf(clusterPorts.get(slot)));
    env.put("TICKSTREAM_CLUSTER_EVENT_BUS_PORT", String.valueOf(RoleJars.freePort()));
    env.put("TICKSTREAM_CLUSTER_NAME", clusterName);
    String prefix = fanout ? "TICKSTREAM_FANOUT_" : "TICKSTREAM_INGEST_";
    assertThat(env.get(prefix + "ADMIN_HOST")).as("%s binds its admin port for the kubelet's probes", name).isEqualTo("0.0.0.0");
    assertThat(env.get("TICKSTREAM_CLUSTER_ALLOWED_MEMBERS")).as("%s refuses peers from outside the pod network", name)
        .isNotBlank();
    env.put("TICKSTREAM_CLUSTER_ALLOWED_MEMBERS", "127.0.0.1/32");
    env.put(prefix + "ADMIN_HOST", "127.0.0.1");
    env.put(prefix + "ADMIN_PORT", String.valueOf(admin));
    if (fanout) {
      env.put("TICKSTREAM_FANOUT_HOST", "127.0.0.1");
      env.put("TICKSTREAM_FANOUT_PORT", String.valueOf(http));
      env.put("TICKSTREAM_FANOUT_DRAIN_DELAY", DRAIN_DELAY.toMillis() + "ms");
      env.put("TICKSTREAM_FANOUT_DRAIN_WINDOW", DRAIN_WINDOW.toMillis() + "ms");
    }
    for (String value : env.values()) {
      for (String service : renderedServices) {
        assertThat(value).as("%s: a Service name left for a pod's DNS", name).doesNotContain(service + ":");
      }
    }

    List<String> jvm = new ArrayList<>(List.of("-XX:MaxRAM=" + w.memoryLimitBytes(), QUICK_START));
    for (String token : entrypoint) {
      if (token.startsWith("$")) {
        String value = env.getOrDefault(token.substring(1), "");
        // The shell splits an unquoted expansion on whitespace and drops empty words.
        for (String word : value.trim().split("\\s+")) {
          if (!word.isEmpty()) {
            jvm.add(word);
          }
        }
      } else {
        jvm.add(token);
      }
    }
    if (Runtime.version().feature() < 23) {
      jvm.remove("--sun-misc-unsafe-memory-access=allow");
    }
    assertThat(w.container()).as("the image's entrypoint runs the role: no command, no args")
        .doesNotContainKeys("command", "args");
    Process process = RoleJars.launch(RoleJars.jar(JARS.get(w.role())), jvm, env, List.of(),
        Path.of("target/" + name + ".log"));
    processes.add(process);
    Pod pod = new Pod(name, w.role(), process, http, admin, env, jvm);
    pods.add(pod);
    return pod;
  }

  /** Until the pod's readiness probe path answers 200 (the startup probe's budget: period x failure threshold). */
  static void awaitReady(Pod p) {
    Workload w = workloads.get(p.role());
    long budget = ((Number) path(w.container(), "startupProbe", "periodSeconds")).longValue()
        * ((Number) path(w.container(), "startupProbe", "failureThreshold")).longValue();
    String probe = (String) path(w.container(), "readinessProbe", "httpGet", "path");
    await().atMost(Duration.ofSeconds(budget)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .failFast(p.name() + " exited (see target/" + p.name() + ".log)", () -> !p.process().isAlive())
        .until(() -> get(p.adminPort(), probe).status() == 200);
  }

  /** Every variable of the container reached the pod unchanged, unless this test says it substitutes it. */
  private static void assertPassedThroughUnchanged(Pod p) {
    for (Object o : list(workloads.get(p.role()).container().get("env"))) {
      Map<String, Object> e = map(o);
      String name = (String) e.get("name");
      if (SUBSTITUTED.contains(name)) {
        continue;
      }
      Object value = e.get("value");
      Object field = path(e, "valueFrom", "fieldRef", "fieldPath");
      String expected = value != null ? String.valueOf(value)
          : "metadata.namespace".equals(field) ? namespace
          : "status.podIP".equals(field) ? "127.0.0.1" // the downward API's substitution, as the Javadoc says
          : null;
      assertThat(p.env().get(name)).as("%s: %s as the manifest gives it", p.name(), name).isEqualTo(expected);
    }
    assertThat(p.env().keySet().stream().filter(k -> k.startsWith("TICKSTREAM_")))
        .as("%s: no TICKSTREAM_ variable beyond the image's, the manifest's and the substituted", p.name())
        .allMatch(k -> SUBSTITUTED.contains(k) || images.get(p.role()).containsKey(k)
            || list(workloads.get(p.role()).container().get("env")).stream().anyMatch(e -> k.equals(map(e).get("name"))));
  }

  /**
   * Every {@code -XX} flag the container's environment sets for the JVM ({@code JAVA_TOOL_OPTIONS}, or the image's
   * {@code JAVA_*_OPTS}) is in effect in a JVM started with the pod's environment and command line: a flag the
   * entrypoint's own options override, or one that conflicts with them, fails here.
   */
  private static void assertJvmOptionsInEffect(Pod p) throws Exception {
    Map<String, String> wanted = new LinkedHashMap<>();
    for (Object o : list(workloads.get(p.role()).container().get("env"))) {
      Map<String, Object> e = map(o);
      if (String.valueOf(e.get("name")).startsWith("JAVA_") && e.get("value") != null) {
        Matcher m = Pattern.compile("-XX:([+-]?)(\\w+)(?:=(\\S+))?").matcher(String.valueOf(e.get("value")));
        while (m.find()) {
          wanted.put(m.group(2), m.group(3) != null ? m.group(3) : String.valueOf(m.group(1).equals("+")));
        }
      }
    }
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    cmd.addAll(p.jvm());
    cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("TICKSTREAM_") || k.startsWith("JAVA_") || k.equals("JDK_JAVA_OPTIONS"));
    pb.environment().putAll(p.env());
    Process java = pb.start();
    String out = new String(java.getInputStream().readAllBytes());
    assertThat(java.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(java.exitValue()).as("%s's JVM starts with its pod's options: %s\n%s", p.role(), cmd, out).isZero();
    for (Map.Entry<String, String> flag : wanted.entrySet()) {
      Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+" + flag.getKey() + "\\s+=\\s+(\\S+)").matcher(out);
      assertThat(m.find()).as("%s: flag %s known", p.role(), flag.getKey()).isTrue();
      String actual = m.group(1);
      String expected = flag.getValue();
      if (actual.matches("\\d+\\.\\d+") && expected.matches("\\d+(\\.\\d+)?")) {
        assertThat(Double.parseDouble(actual)).as("%s: -XX:%s in effect", p.role(), flag.getKey())
            .isEqualTo(Double.parseDouble(expected));
      } else {
        assertThat(actual).as("%s: -XX:%s in effect", p.role(), flag.getKey()).isEqualTo(expected);
      }
    }
  }

  // ------------------------------------------------------------------ the render

  private static List<Map<String, Object>> render(Path kubectl, Path overlay) throws Exception {
    Process p = new ProcessBuilder(kubectl.toString(), "kustomize", overlay.toString()).start();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getErrorStream().readAllBytes());
      } catch (IOException e) {
        return e.toString();
      }
    });
    String yaml = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize %s: %s", overlay, err.get()).isZero();
    try (var it = YAML.readerFor(Map.class).<Map<String, Object>>readValues(yaml)) {
      return it.readAll().stream().filter(m -> m != null && !m.isEmpty()).toList();
    }
  }

  /** {@code name:port} of a rendered Service (its first port), as a pod's DNS would resolve it. */
  private static String servicePort(List<Map<String, Object>> objects, String service) {
    Map<String, Object> svc = objects.stream().filter(o -> "Service".equals(o.get("kind")) && service.equals(name(o)))
        .findFirst().orElseThrow(() -> new AssertionError("no Service " + service + " in the render"));
    return service + ":" + map(list(path(svc, "spec", "ports")).get(0)).get("port");
  }

  /** The words of {@code exec java ... -jar <jar> "$@"} in the entrypoint between {@code java} and {@code -jar}. */
  private static List<String> entrypoint(Path script) throws IOException {
    Matcher m = Pattern.compile("(?m)^exec java (.*?) -jar \\S+ \"\\$@\"\\s*$").matcher(Files.readString(script));
    assertThat(m.find()).as("%s ends in exec java ... -jar <jar> \"$@\"", script).isTrue();
    return List.of(m.group(1).trim().split("\\s+"));
  }

  private static long bytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|K|M|G)?").matcher(quantity);
    assertThat(m.matches()).as("memory quantity " + quantity).isTrue();
    long n = Long.parseLong(m.group(1));
    return n * switch (m.group(2) == null ? "" : m.group(2)) {
      case "Ki" -> 1024L;
      case "Mi" -> 1024L * 1024;
      case "Gi" -> 1024L * 1024 * 1024;
      case "K" -> 1000L;
      case "M" -> 1000L * 1000;
      case "G" -> 1000L * 1000 * 1000;
      default -> 1L;
    };
  }

  private static int intOf(Object o) {
    return o == null ? 0 : Integer.parseInt(String.valueOf(o));
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

  static String name(Map<String, Object> object) {
    return (String) path(object, "metadata", "name");
  }

  static Object path(Map<String, Object> root, String... keys) {
    Object node = root;
    for (String k : keys) {
      if (!(node instanceof Map<?, ?> m)) {
        return null;
      }
      node = m.get(k);
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  // ------------------------------------------------------------------ HTTP

  record HttpResult(int status, String body) {
  }

  private static final io.vertx.core.http.HttpClient http = vertx.createHttpClient();

  static HttpResult get(int port, String path) throws Exception {
    return http.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send()).compose(resp -> resp.body().map(b -> new HttpResult(resp.statusCode(), b.toString())))
        .await(5, TimeUnit.SECONDS);
  }

  static List<String> clusterRoles(int port) throws Exception {
    return new JsonObject(get(port, "/cluster").body()).getJsonArray("members").stream()
        .map(m -> ((JsonObject) m).getString("role")).toList();
  }
}
