package io.tickstream.local.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import io.tickstream.common.logging.Logging;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.ingest.IngestSettings;
import io.tickstream.simulator.SimulatorSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files under {@code deploy/} agree with what the nodes really do. Nothing is started: the laptop and
 * production overlays are rendered by {@code kubectl kustomize} (exactly what {@code kubectl apply -k} creates), the ECS
 * template is parsed (Jackson's YAML reader, on this module's class path through the Kafka broker), and every
 * container's {@code TICKSTREAM_*} environment is resolved exactly as the role would at start, so an unknown variable
 * or a malformed value fails here rather than at 3 a.m.
 */
class DeployManifestsTest {

  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");
  private static final Path ECS_TEMPLATE = ROOT.resolve("deploy/ecs/tickstream.yaml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** What a node needs after the drain or the handover: close Vert.x, the Kafka client, leave the cluster. */
  private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(5);
  /** Fargate's largest stopTimeout. */
  private static final int FARGATE_MAX_STOP_TIMEOUT = 120;
  private static final List<String> OVERLAYS = List.of("laptop", "production");

  // ------------------------------------------------------------------ Kubernetes

  @Test
  void everyOverlaysTickstreamEnvironmentResolvesAsTheRoleWouldAtStart() throws Exception {
    for (String overlay : OVERLAYS) {
      for (Map<String, Object> d : deployments(overlay)) {
        for (Map<String, Object> c : containers(d)) {
          resolve(overlay + " " + name(d), role(c), kubernetesEnv(c));
        }
      }
    }
  }

  @Test
  void fanoutGraceCoversPreStopDrainDelayAndDrainWindow() throws Exception {
    for (String overlay : OVERLAYS) {
      Map<String, Object> d = deployment(overlay, "tickstream-fanout");
      Map<String, Object> c = containers(d).get(0);
      Config config = resolve(overlay, "fanout", kubernetesEnv(c));
      long preStop = ((Number) path(c, "lifecycle", "preStop", "sleep", "seconds")).longValue();
      Duration needed = Duration.ofSeconds(preStop).plus(config.get(FanoutSettings.DRAIN_DELAY))
          .plus(config.get(FanoutSettings.DRAIN_WINDOW)).plus(SHUTDOWN_MARGIN);
      assertThat(graceSeconds(d)).as("%s fanout terminationGracePeriodSeconds", overlay)
          .isGreaterThanOrEqualTo(needed.toSeconds());
    }
  }

  @Test
  void ingestGraceCoversTheHandover() throws Exception {
    for (String overlay : OVERLAYS) {
      Map<String, Object> d = deployment(overlay, "tickstream-ingest");
      Config config = resolve(overlay, "ingest", kubernetesEnv(containers(d).get(0)));
      assertThat(graceSeconds(d)).as("%s ingest terminationGracePeriodSeconds", overlay)
          .isGreaterThanOrEqualTo(config.get(IngestSettings.HANDOVER_TIMEOUT).plus(SHUTDOWN_MARGIN).toSeconds());
    }
  }

  @Test
  void probesAndPortsMatchTheSettingsTheContainersRunWith() throws Exception {
    for (String overlay : OVERLAYS) {
      for (String role : List.of("ingest", "fanout")) {
        Map<String, Object> c = containers(deployment(overlay, "tickstream-" + role)).get(0);
        Config config = resolve(overlay, role, kubernetesEnv(c));
        String where = overlay + " " + role;
        boolean fanout = role.equals("fanout");
        int admin = fanout ? config.get(FanoutSettings.ADMIN_PORT) : config.get(IngestSettings.ADMIN_PORT);
        String adminHost = fanout ? config.get(FanoutSettings.ADMIN_HOST) : config.get(IngestSettings.ADMIN_HOST);
        assertThat(adminHost).as("%s binds its admin port on every interface, or probes cannot reach it", where)
            .isEqualTo("0.0.0.0");
        Map<String, Integer> ports = namedPorts(c);
        if (fanout) {
          assertThat(config.get(FanoutSettings.HOST)).as("%s client port for the load balancer", where).isEqualTo("0.0.0.0");
          assertThat(ports).as(where).containsEntry("http", config.get(FanoutSettings.PORT));
        } else {
          assertThat(ports).as("%s: an ingest has no client port", where).doesNotContainKey("http");
        }
        assertThat(ports).as(where).containsEntry("admin", admin)
            .containsEntry("hazelcast", config.get(ClusterSettings.PORT))
            .containsEntry("event-bus", config.get(ClusterSettings.EVENT_BUS_PORT));
        assertThat(path(c, "readinessProbe", "httpGet", "path")).as(where).isEqualTo("/health/ready");
        assertThat(path(c, "livenessProbe", "httpGet", "path")).as(where).isEqualTo("/health/live");
        assertThat(path(c, "startupProbe", "httpGet", "path")).as(where).isEqualTo("/health/live");
        for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
          assertThat(path(c, probe, "httpGet", "port")).as("%s %s on the admin port (the client port answers 404)", where, probe)
              .isEqualTo("admin");
        }
        // Hazelcast's open-source edition authenticates no member: each deployment has a cluster of its own and
        // refuses peers from outside its network.
        assertThat(config.get(ClusterSettings.NAME)).as("%s cluster.name per deployment", where)
            .isNotEqualTo(ClusterSettings.DEFAULT_NAME).contains("tickstream");
        assertThat(config.get(ClusterSettings.ALLOWED_MEMBERS)).as("%s cluster.allowed-members", where).isNotEmpty();
        io.tickstream.common.cluster.MemberAllowlist allowlist =
            io.tickstream.common.cluster.MemberAllowlist.of(config.get(ClusterSettings.ALLOWED_MEMBERS));
        assertThat(allowlist.allows(java.net.InetAddress.getByName("10.0.1.23"))).as("%s admits the pod IP", where).isTrue();
        assertThat(allowlist.allows(java.net.InetAddress.getByName("203.0.113.9"))).as("%s refuses the internet", where).isFalse();
        assertThat(config.get(ClusterSettings.DISCOVERY)).as(where).isEqualTo(ClusterSettings.DISCOVERY_KUBERNETES);
        assertThat(envSource(c, ClusterSettings.INTERFACE.envVar())).as("%s binds Hazelcast to the pod IP", where)
            .isEqualTo("status.podIP");
        // The JVM sizes its heap from the limit: the limit must be set, and equal to the request (no overcommit).
        Map<String, Object> resources = map(c.get("resources"));
        assertThat(path(resources, "limits", "memory")).as(where).isNotNull()
            .isEqualTo(path(resources, "requests", "memory"));
        assertJvmOptionsThroughTheEntrypoint(where, kubernetesEnv(c));
      }
    }
  }

  @Test
  void hazelcastServiceIsHeadlessPublishesNotReadyPodsAndIsTheOneDiscoveryNames() throws Exception {
    for (String overlay : OVERLAYS) {
      List<Map<String, Object>> objects = render(overlay);
      Config fanout = resolve(overlay, "fanout", kubernetesEnv(containers(deployment(overlay, "tickstream-fanout")).get(0)));
      String serviceName = fanout.get(ClusterSettings.KUBERNETES_SERVICE_NAME);
      Map<String, Object> svc = find(objects, "Service", serviceName);
      assertThat(path(svc, "spec", "clusterIP")).isEqualTo("None");
      assertThat(path(svc, "spec", "publishNotReadyAddresses")).isEqualTo(true);
      assertThat(list(path(svc, "spec", "ports"))).extracting(p -> map(p).get("targetPort")).contains("hazelcast");
      Map<String, Object> selector = map(path(svc, "spec", "selector"));
      for (String role : List.of("ingest", "fanout")) {
        assertThat(map(path(deployment(overlay, "tickstream-" + role), "spec", "template", "metadata", "labels")))
            .as("%s %s pods are members", overlay, role).containsAllEntriesOf(selector);
      }
      Map<String, Object> clients = find(objects, "Service", "tickstream-fanout");
      assertThat(map(path(clients, "metadata", "annotations")))
          .containsEntry("service.beta.kubernetes.io/aws-load-balancer-healthcheck-path", "/health/ready")
          .containsEntry("service.beta.kubernetes.io/aws-load-balancer-healthcheck-port",
              String.valueOf(fanout.get(FanoutSettings.ADMIN_PORT)));
      assertThat(list(path(clients, "spec", "ports"))).extracting(p -> map(p).get("targetPort")).containsExactly("http");
    }
  }

  /**
   * Issue 13: the admin ports (health, metrics, /cluster with internal addresses) and the cluster ports are never open
   * to everyone: the only policy without a source is the client port's, and it names only that port.
   */
  @Test
  void networkPoliciesOpenOnlyTheClientPortToEveryone() throws Exception {
    for (String overlay : OVERLAYS) {
      List<Map<String, Object>> objects = render(overlay);
      Config fanout = resolve(overlay, "fanout", kubernetesEnv(containers(deployment(overlay, "tickstream-fanout")).get(0)));
      Config ingest = resolve(overlay, "ingest", kubernetesEnv(containers(deployment(overlay, "tickstream-ingest")).get(0)));
      List<Integer> privatePorts = List.of(fanout.get(FanoutSettings.ADMIN_PORT), ingest.get(IngestSettings.ADMIN_PORT),
          fanout.get(ClusterSettings.PORT), fanout.get(ClusterSettings.EVENT_BUS_PORT));
      List<Map<String, Object>> policies = objects.stream().filter(o -> "NetworkPolicy".equals(o.get("kind"))).toList();
      assertThat(policies).as(overlay).isNotEmpty();
      boolean adminFromMonitoring = false;
      for (Map<String, Object> policy : policies) {
        for (Object r : list(path(policy, "spec", "ingress"))) {
          Map<String, Object> rule = map(r);
          List<Object> ports = list(rule.get("ports")).stream().map(p -> map(p).get("port")).toList();
          if (rule.get("from") == null) {
            assertThat(ports).as("%s %s: open to everyone", overlay, name(policy)).doesNotContainAnyElementsOf(privatePorts)
                .containsExactly(fanout.get(FanoutSettings.PORT));
          } else if (list(rule.get("from")).stream().anyMatch(f -> map(f).get("namespaceSelector") != null)) {
            adminFromMonitoring |= ports.containsAll(List.of(fanout.get(FanoutSettings.ADMIN_PORT), ingest.get(IngestSettings.ADMIN_PORT)));
          }
        }
      }
      assertThat(adminFromMonitoring).as("%s: Prometheus reaches both admin ports", overlay).isTrue();
    }
  }

  @Test
  void hpaScalesOnTheFanoutsConnectionGaugeBelowItsLimit() throws Exception {
    List<Map<String, Object>> objects = render("production");
    Map<String, Object> hpa = find(objects, "HorizontalPodAutoscaler", "tickstream-fanout");
    Map<String, Object> metric = map(list(path(hpa, "spec", "metrics")).get(0));
    assertThat(path(metric, "pods", "metric", "name")).isEqualTo("tickstream_fanout_connections");
    assertThat(Files.readString(ROOT.resolve("modules/fanout-verticle/README.md")))
        .as("the gauge the HPA reads exists").contains("`tickstream_fanout_connections`");
    assertThat(Files.readString(KUBERNETES.resolve("components/monitoring/prometheus-adapter-values.yaml")))
        .contains("tickstream_fanout_connections");
    Config fanout = resolve("production", "fanout",
        kubernetesEnv(containers(deployment("production", "tickstream-fanout")).get(0)));
    long target = Long.parseLong(String.valueOf(path(metric, "pods", "target", "averageValue")));
    assertThat(target).isLessThan(fanout.get(FanoutSettings.MAX_CONNECTIONS));
  }

  /**
   * Issue 18: the production overlay does what docs/security.md's production checklist says, from the one file of
   * values an operator edits (overlays/production/values.yaml): Kafka over SASL_SSL with the password from a Secret,
   * TLS for clients at the NLB, the allowed origins, the Hazelcast allowlist on the pod network, the admin port open to
   * the load balancer's subnets (and Prometheus) only, and TLS on the event bus of every member.
   */
  @Test
  void productionFollowsTheChecklistFromItsOneFileOfValues() throws Exception {
    Map<String, Object> values = map(YAML.readValue(KUBERNETES.resolve("overlays/production/values.yaml").toFile(), Map.class)
        .get("data"));
    List<Map<String, Object>> objects = render("production");
    assertThat(objects).as("values.yaml is local-config: kustomize uses it, the cluster never sees it")
        .noneMatch(o -> "tickstream-production-values".equals(name(o)));
    for (String role : List.of("ingest", "fanout")) {
      Map<String, Object> d = deployment("production", "tickstream-" + role);
      Map<String, Object> c = containers(d).get(0);
      Config config = resolve("production", role, kubernetesEnv(c));
      assertThat(config.get(io.tickstream.common.kafka.KafkaSettings.SECURITY_PROTOCOL)).as(role).isEqualTo("sasl_ssl");
      assertThat(config.get(io.tickstream.common.kafka.KafkaSettings.BOOTSTRAP_SERVERS)).as(role)
          .isEqualTo(List.of(((String) values.get("kafkaBootstrapServers")).split(",")));
      assertThat(kubernetesEnv(c).get("TICKSTREAM_KAFKA_SASL_PASSWORD")).as("%s: the password from a Secret", role)
          .isEqualTo("secret-of-tickstream-kafka");
      assertThat(config.get(ClusterSettings.ALLOWED_MEMBERS)).as(role).containsExactly((String) values.get("podNetwork"));
      String keystore = config.get(ClusterSettings.EVENT_BUS_TLS_KEYSTORE);
      assertThat(keystore).as("%s: event-bus TLS", role).isNotBlank();
      Map<String, Object> mount = list(c.get("volumeMounts")).stream().map(DeployManifestsTest::map)
          .filter(m -> keystore.startsWith(m.get("mountPath") + "/")).findFirst()
          .orElseThrow(() -> new AssertionError(role + ": nothing mounted where " + keystore + " is"));
      Map<String, Object> volume = list(path(d, "spec", "template", "spec", "volumes")).stream().map(DeployManifestsTest::map)
          .filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
      assertThat(path(volume, "secret", "secretName")).as(role).isEqualTo("tickstream-event-bus");
      if (role.equals("fanout")) {
        assertThat(config.get(io.tickstream.fanout.AccessSettings.ALLOWED_ORIGINS)).isNotEqualTo(List.of("*"))
            .isEqualTo(List.of(((String) values.get("allowedOrigins")).split(",")));
      }
    }
    Map<String, Object> clients = find(objects, "Service", "tickstream-fanout");
    assertThat(list(path(clients, "spec", "ports"))).extracting(p -> map(p).get("port")).containsExactly(443);
    assertThat(map(path(clients, "metadata", "annotations")))
        .containsEntry("service.beta.kubernetes.io/aws-load-balancer-ssl-cert", values.get("certificateArn"))
        .containsEntry("service.beta.kubernetes.io/aws-load-balancer-ssl-ports", "443");
    Map<String, Object> lbHealth = find(objects, "NetworkPolicy", "tickstream-fanout-lb-health");
    assertThat(path(map(list(map(list(path(lbHealth, "spec", "ingress")).get(0)).get("from")).get(0)), "ipBlock", "cidr"))
        .isEqualTo(values.get("loadBalancerSubnets"));
  }

  // ------------------------------------------------------------------ ECS

  @Test
  void ecsTaskEnvironmentResolvesAndStopTimeoutsCoverDrainAndHandover() throws Exception {
    Map<String, Object> template = YAML.readValue(ECS_TEMPLATE.toFile(), Map.class);
    Map<String, Object> resources = map(template.get("Resources"));
    Map<String, Config> byRole = new LinkedHashMap<>();
    for (Map.Entry<String, Object> r : resources.entrySet()) {
      if (!"AWS::ECS::TaskDefinition".equals(map(r.getValue()).get("Type"))) {
        continue;
      }
      for (Object o : list(path(map(r.getValue()), "Properties", "ContainerDefinitions"))) {
        Map<String, Object> c = map(o);
        String role = (String) c.get("Name");
        Map<String, String> env = new LinkedHashMap<>();
        for (Object e : list(c.get("Environment"))) {
          Map<String, Object> kv = map(e);
          env.put((String) kv.get("Name"), cfnValue(template, kv.get("Value")));
        }
        for (Object e : list(c.get("Secrets"))) {
          env.put((String) map(e).get("Name"), "secret-from-secrets-manager");
        }
        Config config = resolve("ecs " + r.getKey(), role, env);
        byRole.put(role, config);
        int stopTimeout = ((Number) c.get("StopTimeout")).intValue();
        assertThat(stopTimeout).as("%s stopTimeout", role).isLessThanOrEqualTo(FARGATE_MAX_STOP_TIMEOUT);
        Duration needed = role.equals("fanout")
            ? config.get(FanoutSettings.DRAIN_DELAY).plus(config.get(FanoutSettings.DRAIN_WINDOW)).plus(SHUTDOWN_MARGIN)
            : config.get(IngestSettings.HANDOVER_TIMEOUT).plus(SHUTDOWN_MARGIN);
        assertThat((long) stopTimeout).as("%s stopTimeout", role).isGreaterThanOrEqualTo(needed.toSeconds());
        List<Object> ports = list(c.get("PortMappings")).stream().map(p -> map(p).get("ContainerPort")).toList();
        int admin = role.equals("fanout") ? config.get(FanoutSettings.ADMIN_PORT) : config.get(IngestSettings.ADMIN_PORT);
        assertThat(ports).as(role).contains(admin, config.get(ClusterSettings.PORT), config.get(ClusterSettings.EVENT_BUS_PORT));
        if (role.equals("fanout")) {
          assertThat(ports).as(role).contains(config.get(FanoutSettings.PORT));
        }
        assertThat(config.get(ClusterSettings.ALLOWED_MEMBERS)).as("ecs %s cluster.allowed-members", role).isNotEmpty();
        assertThat(config.get(ClusterSettings.DISCOVERY)).isEqualTo(ClusterSettings.DISCOVERY_AWS);
        assertThat(config.get(Logging.FORMAT)).isEqualTo("json");
        assertJvmOptionsThroughTheEntrypoint("ecs " + role, env);
      }
    }
    assertThat(byRole).containsOnlyKeys("ingest", "fanout");
    Config fanout = byRole.get("fanout");
    Map<String, Object> targets = map(path(resources, "FanoutTargets", "Properties"));
    assertThat(targets.get("HealthCheckPath")).isEqualTo("/health/ready");
    assertThat(targets.get("Port")).isEqualTo(fanout.get(FanoutSettings.PORT));
    assertThat(targets.get("HealthCheckPort")).as("health checks on the admin port: the client port answers 404")
        .isEqualTo(String.valueOf(fanout.get(FanoutSettings.ADMIN_PORT)));
    assertThat(path(resources, "TaskFanoutHealthFromNlb", "Properties", "FromPort")).isEqualTo(fanout.get(FanoutSettings.ADMIN_PORT));
    assertThat(path(resources, "TaskFanoutFromNlb", "Properties", "ToPort")).as("the NLB reaches the client port only")
        .isEqualTo(fanout.get(FanoutSettings.PORT));
    // Hazelcast's AWS discovery probes cluster.port and the two ports above it: the security group must open them.
    Map<String, Object> hz = map(path(resources, "TaskHazelcastIngress", "Properties"));
    assertThat(hz.get("FromPort")).isEqualTo(fanout.get(ClusterSettings.PORT));
    assertThat(hz.get("ToPort")).isEqualTo(fanout.get(ClusterSettings.PORT) + 2);
    assertThat(path(resources, "TaskEventBusIngress", "Properties", "FromPort"))
        .isEqualTo(fanout.get(ClusterSettings.EVENT_BUS_PORT));
    // Clients speak TLS to the NLB (issue 18), whose TLS listeners keep an idle connection 350 s, fixed.
    Map<String, Object> listener = map(path(resources, "ClientListener", "Properties"));
    assertThat(listener.get("Protocol")).isEqualTo("TLS");
    assertThat(list(listener.get("Certificates"))).isNotEmpty();
    assertThat(350L).as("the NLB outlives the server's ping interval").isGreaterThan(fanout.get(FanoutSettings.PING_INTERVAL).toSeconds() * 2);
    assertThat(fanout.get(io.tickstream.fanout.AccessSettings.ALLOWED_ORIGINS)).as("ecs fanout.allowed-origins").isNotEqualTo(List.of("*"));
    for (Config role : byRole.values()) {
      assertThat(role.get(io.tickstream.common.kafka.KafkaSettings.SECURITY_PROTOCOL)).isEqualTo("sasl_ssl");
      assertThat(role.get(io.tickstream.common.kafka.KafkaSettings.SASL_MECHANISM)).isEqualTo("aws_msk_iam");
      assertThat(role.get(ClusterSettings.EVENT_BUS_TLS_KEYSTORE)).as("event-bus TLS").isNotBlank();
    }
    assertThat(path(resources, "Kafka", "Properties", "ClientAuthentication", "Unauthenticated", "Enabled")).isEqualTo(false);
    assertThat(path(resources, "Kafka", "Properties", "EncryptionInfo", "EncryptionInTransit", "ClientBroker")).isEqualTo("TLS");
  }

  /**
   * The image's entrypoint runs {@code java $JAVA_BASE_OPTS $JAVA_GC_OPTS $JAVA_OPTS -jar ...}: a deployment's JVM
   * options must come in those variables. In {@code JAVA_TOOL_OPTIONS}, which the JVM reads before its command line,
   * a heap share loses to the image's {@code MaxRAMPercentage=75} and a collector other than the image's stops the
   * JVM ("Multiple garbage collectors selected"), as the fanout's {@code -XX:+UseZGC} did against its image's G1.
   * (KubernetesStackTest starts the laptop overlay's JVMs and checks the flags in effect.)
   */
  private static void assertJvmOptionsThroughTheEntrypoint(String where, Map<String, String> env) {
    assertThat(env).as("%s: JVM options in JAVA_GC_OPTS and JAVA_OPTS, not JAVA_TOOL_OPTIONS", where)
        .doesNotContainKey("JAVA_TOOL_OPTIONS");
    assertThat(env.get("JAVA_OPTS")).as("%s: the heap as a share of the memory limit", where)
        .contains("-XX:MaxRAMPercentage=");
    assertThat(env.getOrDefault("JAVA_OPTS", "")).as("%s: the collector belongs in JAVA_GC_OPTS", where)
        .doesNotContainPattern("-XX:\\+Use\\w*GC");
  }

  // ------------------------------------------------------------------ resolving as the role does

  /** The settings a role's process resolves: its own, the cluster's and the logging ones (as RoleCommandLine). */
  private static List<Setting<?>> settings(String role) {
    return switch (role) {
      case "ingest" -> Logging.with(concat(IngestSettings.ALL, ClusterSettings.ALL));
      case "fanout" -> Logging.with(concat(FanoutSettings.ALL, ClusterSettings.ALL));
      case "simulator" -> Logging.with(SimulatorSettings.ALL);
      default -> throw new AssertionError("no tickstream role " + role);
    };
  }

  private static Config resolve(String where, String role, Map<String, String> env) throws Exception {
    List<Setting<?>> settings = settings(role);
    List<String> known = settings.stream().map(Setting::envVar).toList();
    assertThat(env.keySet().stream().filter(k -> k.startsWith("TICKSTREAM_")).toList())
        .as("%s: every TICKSTREAM_ variable is a setting of the %s role", where, role).allMatch(known::contains);
    return Config.fromArgs(role, role, settings, new String[0], env, new PrintWriter(new StringWriter()))
        .orElseThrow();
  }

  private static List<Setting<?>> concat(List<Setting<?>> a, List<Setting<?>> b) {
    List<Setting<?>> all = new ArrayList<>(a);
    b.stream().filter(s -> all.stream().noneMatch(x -> x.key().equals(s.key()))).forEach(all::add);
    return all;
  }

  /**
   * Literal values as they are; downward-API values as a pod would see them; {@code $(NAME)} of a variable listed
   * earlier expanded, as the kubelet does (a later or unknown one stays as written, as there too).
   */
  private static Map<String, String> kubernetesEnv(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    assertThat(container).as("env comes inline, so this test sees all of it").doesNotContainKey("envFrom");
    for (Object o : list(container.get("env"))) {
      Map<String, Object> e = map(o);
      String source = (String) path(e, "valueFrom", "fieldRef", "fieldPath");
      Object secret = path(e, "valueFrom", "secretKeyRef", "name");
      String value = secret != null ? "secret-of-" + secret : source == null ? String.valueOf(e.get("value")) : switch (source) {
        case "status.podIP" -> "10.0.1.23";
        case "metadata.namespace" -> "tickstream";
        default -> "pod-field";
      };
      for (Map.Entry<String, String> earlier : env.entrySet()) {
        value = value.replace("$(" + earlier.getKey() + ")", earlier.getValue());
      }
      env.put((String) e.get("name"), value);
    }
    return env;
  }

  private static Object envSource(Map<String, Object> container, String name) {
    return list(container.get("env")).stream().map(DeployManifestsTest::map).filter(e -> name.equals(e.get("name")))
        .map(e -> path(e, "valueFrom", "fieldRef", "fieldPath")).findFirst().orElse(null);
  }

  /** A CloudFormation value: literal, Ref to a parameter (its default), or a stand-in for what AWS computes. */
  private static String cfnValue(Map<String, Object> template, Object value) {
    if (!(value instanceof Map<?, ?> fn)) {
      return String.valueOf(value);
    }
    Object ref = fn.get("Ref");
    if (ref != null) {
      Object def = path(map(template.get("Parameters")), (String) ref, "Default");
      return def == null || def.toString().isEmpty() ? "stand-in" : def.toString();
    }
    return "stand-in.example:9092";
  }

  // ------------------------------------------------------------------ the render: kubectl kustomize, as kubectl apply -k

  private static final Map<String, List<Map<String, Object>>> RENDERS = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The overlay as {@code kubectl apply -k} would create it: patches, replacements and local-config objects applied by
   * kustomize itself (needs {@code kubectl}; skipped without it, failing under {@code CI=true}, which installs it).
   * Each test gets its own copy.
   */
  private static List<Map<String, Object>> render(String overlay) throws IOException {
    List<Map<String, Object>> objects = RENDERS.computeIfAbsent(overlay, o -> {
      try {
        return kustomize(KUBERNETES.resolve("overlays").resolve(o));
      } catch (IOException | InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    return YAML.convertValue(objects, new com.fasterxml.jackson.core.type.TypeReference<List<Map<String, Object>>>() { });
  }

  private static List<Map<String, Object>> kustomize(Path dir) throws IOException, InterruptedException {
    Path kubectl = null;
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, "kubectl"))) {
        kubectl = Path.of(d, "kubectl");
      }
    }
    String missing = "kubectl is not installed: the overlays cannot be rendered";
    if (kubectl == null && "true".equals(System.getenv("CI"))) {
      throw new AssertionError(missing + " (CI=true: required)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(kubectl != null, missing);
    Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize %s: %s", dir, out).isZero();
    try (var it = YAML.readerFor(Map.class).<Map<String, Object>>readValues(out)) {
      return it.readAll().stream().filter(m -> m != null && !m.isEmpty()).toList();
    }
  }

  private static List<Map<String, Object>> deployments(String overlay) throws IOException {
    return render(overlay).stream().filter(o -> "Deployment".equals(o.get("kind")))
        .filter(o -> containers(o).stream().anyMatch(c -> Stream.of("ingest", "fanout", "simulator")
            .anyMatch(role -> String.valueOf(c.get("image")).contains(role)))).toList();
  }

  private static Map<String, Object> deployment(String overlay, String name) throws IOException {
    return find(render(overlay), "Deployment", name);
  }

  private static List<Map<String, Object>> containers(Map<String, Object> deployment) {
    return list(path(deployment, "spec", "template", "spec", "containers")).stream().map(DeployManifestsTest::map).toList();
  }

  private static String role(Map<String, Object> container) {
    return (String) container.get("name");
  }

  private static Map<String, Integer> namedPorts(Map<String, Object> container) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    list(container.get("ports")).stream().map(DeployManifestsTest::map)
        .forEach(p -> ports.put((String) p.get("name"), ((Number) p.get("containerPort")).intValue()));
    return ports;
  }

  private static long graceSeconds(Map<String, Object> deployment) {
    return ((Number) path(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds")).longValue();
  }

  private static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
    return objects.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(name(o))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static String name(Map<String, Object> object) {
    return (String) path(object, "metadata", "name");
  }

  private static Object path(Map<String, Object> root, String... keys) {
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
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }
}
