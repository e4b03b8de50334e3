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
  /**
   * How long an NLB may go on sending new connections to a target after the AWS Load Balancer Controller (or ECS)
   * deregistered it: tens of seconds (reports go up to two minutes, aws-load-balancer-controller#3270). The fanout's
   * preStop (Kubernetes) and the target group's deregistration delay (ECS, which waits it out before SIGTERM) cover
   * at least this; a later arrival gets a 503 after SIGTERM and reconnects elsewhere.
   */
  private static final long NLB_DEREGISTRATION_PROPAGATION_SECONDS = 30;
  /**
   * What a JVM needs beside its heap and direct memory, at the least: metaspace, code cache, the AOT cache mapped at
   * start (64-84 MB for the fanout), thread stacks, the collector's own structures (the ingest's RSS at ready was
   * 293-328 MB with an unbounded heap, docs/benchmarks.md "Start to ready").
   */
  private static final long JVM_OVERHEAD_MIB = 256;
  /** The values ECS parameters without a default take here: deliberately a VPC outside 10.x. */
  private static final Map<String, String> ECS_SAMPLE_PARAMETERS = Map.of("VpcCidr", "172.31.0.0/16");
  private static final java.util.regex.Pattern CIDR = java.util.regex.Pattern.compile("\\b\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}\\b");

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
      // The NLB stops sending new connections to a deregistered target only after a while: preStop covers that,
      // and the target stays draining (no new flows, established ones kept) for the pod's whole shutdown. Only where
      // the client Service is a load balancer (the laptop's is a NodePort: endpoints alone, a second or two).
      Map<String, Object> clients = find(render(overlay), "Service", "tickstream-fanout");
      if (!"LoadBalancer".equals(path(clients, "spec", "type"))) {
        continue;
      }
      assertThat(preStop).as("%s fanout preStop: the NLB takes tens of seconds to stop sending new connections", overlay)
          .isGreaterThanOrEqualTo(NLB_DEREGISTRATION_PROPAGATION_SECONDS);
      Map<String, String> attributes = targetGroupAttributes(clients);
      assertThat(Long.parseLong(attributes.get("deregistration_delay.timeout_seconds")))
          .as("%s NLB deregistration delay >= preStop + drain-delay + drain-window", overlay)
          .isGreaterThanOrEqualTo(needed.minus(SHUTDOWN_MARGIN).toSeconds());
      assertThat(attributes).as("%s: the NLB never cuts what the drain closes", overlay)
          .containsEntry("deregistration_delay.connection_termination.enabled", "false");
    }
  }

  /**
   * Issue 20: without the AWS Load Balancer Controller's readiness gate a rollout stops an old fanout as soon as the
   * new one answers /health/ready, while its NLB target is still registering.
   */
  @Test
  void productionNamespaceGetsTheLoadBalancerControllersReadinessGate() throws Exception {
    Map<String, Object> ns = render("production").stream().filter(o -> "Namespace".equals(o.get("kind"))).findFirst()
        .orElseThrow(() -> new AssertionError("production renders no Namespace"));
    assertThat(map(path(ns, "metadata", "labels"))).containsEntry("elbv2.k8s.aws/pod-readiness-gate-inject", "enabled");
    assertThat(path(find(render("production"), "Service", "tickstream-fanout"), "metadata", "annotations",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type")).as("the gate works with ip targets only")
        .isEqualTo("ip");
  }

  /** Issue 20: a Deployment an HPA scales carries no replicas, or every apply resets what the HPA chose. */
  @Test
  void noReplicasBesideAnHpa() throws Exception {
    for (String overlay : OVERLAYS) {
      for (Map<String, Object> hpa : render(overlay).stream()
          .filter(o -> "HorizontalPodAutoscaler".equals(o.get("kind"))).toList()) {
        String target = (String) path(hpa, "spec", "scaleTargetRef", "name");
        assertThat(path(deployment(overlay, target), "spec", "replicas")).as("%s %s: replicas beside the HPA", overlay, target)
            .isNull();
      }
    }
  }

  /**
   * Issue 20: the HPA's metric reaches it only if kube-prometheus-stack's Prometheus selects the ServiceMonitor (by
   * its release label) and the Prometheus Adapter queries that Prometheus.
   */
  @Test
  void serviceMonitorAndAdapterNameTheSamePrometheus() throws Exception {
    Map<String, Object> values = values("production");
    String release = (String) values.get("prometheusRelease");
    assertThat(release).as("values.yaml prometheusRelease").isNotBlank();
    Map<String, Object> monitor = find(render("production"), "ServiceMonitor", "tickstream");
    assertThat(map(path(monitor, "metadata", "labels"))).as("kube-prometheus-stack selects ServiceMonitors by release")
        .containsEntry("release", release);
    Map<String, Object> adapter = YAML.readValue(KUBERNETES.resolve("components/monitoring/prometheus-adapter-values.yaml")
        .toFile(), Map.class);
    java.net.URI url = java.net.URI.create((String) path(adapter, "prometheus", "url"));
    assertThat(url.getHost()).as("the adapter's Prometheus: kube-prometheus-stack's Service of the same release")
        .isEqualTo(release + "-prometheus.monitoring.svc");
    assertThat(path(adapter, "prometheus", "port")).isEqualTo(9090);
  }

  /**
   * Issue 20: the images are named as docker/ builds them, tickstream/&lt;role&gt; (docker/compose.yaml), with a
   * registry in front where an overlay or the ECS template pushes them.
   */
  @Test
  void imagesAreTheDockerBuildsTickstreamRole() throws Exception {
    String compose = Files.readString(ROOT.resolve("docker/compose.yaml"));
    List<String> built = java.util.regex.Pattern.compile("image: (tickstream/[a-z]+):").matcher(compose).results()
        .map(m -> m.group(1)).distinct().toList();
    assertThat(built).as("docker/compose.yaml's role images").contains("tickstream/ingest", "tickstream/fanout");
    for (String overlay : OVERLAYS) {
      for (Map<String, Object> d : deployments(overlay)) {
        for (Map<String, Object> c : containers(d)) {
          String repository = imageRepository((String) c.get("image"));
          assertThat(repository).as("%s %s image", overlay, name(d)).endsWith("tickstream/" + role(c));
          assertThat(built).as("%s %s: an image docker/ builds", overlay, name(d))
              .anyMatch(b -> repository.equals(b) || repository.endsWith("/" + b));
        }
      }
    }
    Map<String, Object> template = YAML.readValue(ECS_TEMPLATE.toFile(), Map.class);
    for (String role : List.of("ingest", "fanout")) {
      String parameter = role.equals("ingest") ? "IngestImage" : "FanoutImage";
      String image = (String) path(map(template.get("Parameters")), parameter, "Default");
      assertThat(imageRepository(image)).as("ecs %s", parameter).endsWith("/tickstream/" + role);
    }
  }

  /**
   * Issue 20: heap (MaxRAMPercentage of the limit), direct memory (which defaults to the heap's size) and the JVM's
   * other memory fit the container's limit; direct memory is always bounded explicitly.
   */
  @Test
  void heapDirectMemoryAndJvmOverheadFitTheLimit() throws Exception {
    for (String overlay : OVERLAYS) {
      for (Map<String, Object> d : deployments(overlay)) {
        for (Map<String, Object> c : containers(d)) {
          Object limit = path(map(c.get("resources")), "limits", "memory");
          assertThat(limit).as("%s %s memory limit", overlay, name(d)).isNotNull();
          assertMemoryBudget(overlay + " " + name(d), kubernetesEnv(c).get("JAVA_OPTS"), kubernetesMebibytes((String) limit));
        }
      }
    }
    Map<String, Object> template = YAML.readValue(ECS_TEMPLATE.toFile(), Map.class);
    for (Map<String, Object> task : ecsTasks(template)) {
      long memory = Long.parseLong(String.valueOf(path(task, "Properties", "Memory")));
      for (Object o : list(path(task, "Properties", "ContainerDefinitions"))) {
        Map<String, Object> c = map(o);
        assertThat(c.get("Memory")).as("ecs %s: the task's memory is the container's limit", c.get("Name")).isNull();
        assertMemoryBudget("ecs " + c.get("Name"), ecsEnv(template, c).get("JAVA_OPTS"), memory);
      }
    }
  }

  /**
   * Issue 20: fanout.instances defaults to one server instance per processor the JVM sees, which without a CPU limit
   * is every core of the node: the fanout sets it, no higher than its CPUs, and a container without a CPU limit tells
   * the JVM its processor count.
   */
  @Test
  void fanoutInstancesAndJvmProcessorsFollowTheCpusGiven() throws Exception {
    for (String overlay : OVERLAYS) {
      for (Map<String, Object> d : deployments(overlay)) {
        for (Map<String, Object> c : containers(d)) {
          String where = overlay + " " + name(d);
          Map<String, Object> resources = map(c.get("resources"));
          Object cpuLimit = path(resources, "limits", "cpu");
          double cpus = cpus(String.valueOf(cpuLimit != null ? cpuLimit : path(resources, "requests", "cpu")));
          String javaOpts = kubernetesEnv(c).getOrDefault("JAVA_OPTS", "");
          if (cpuLimit == null) {
            assertThat(javaOpts).as("%s: no CPU limit, so the JVM is told its processors", where)
                .containsPattern("-XX:ActiveProcessorCount=\\d+");
          }
          if (role(c).equals("fanout")) {
            int instances = resolve(where, "fanout", kubernetesEnv(c)).get(FanoutSettings.INSTANCES);
            assertThat(instances).as("%s fanout.instances, explicit", where).isPositive()
                .isLessThanOrEqualTo((int) Math.max(1, Math.ceil(cpus)));
          }
        }
      }
    }
    Map<String, Object> template = YAML.readValue(ECS_TEMPLATE.toFile(), Map.class);
    for (Map<String, Object> task : ecsTasks(template)) {
      double vcpus = Long.parseLong(String.valueOf(path(task, "Properties", "Cpu"))) / 1024.0;
      for (Object o : list(path(task, "Properties", "ContainerDefinitions"))) {
        Map<String, Object> c = map(o);
        if ("fanout".equals(c.get("Name"))) {
          int instances = resolve("ecs fanout", "fanout", ecsEnv(template, c)).get(FanoutSettings.INSTANCES);
          assertThat(instances).as("ecs fanout.instances, explicit").isPositive().isLessThanOrEqualTo((int) Math.ceil(vcpus));
        }
      }
    }
  }

  /**
   * Issue 20: a network range written into a manifest (10.0.0.0/8, 10.0.0.0/16) broke every VPC that is not 10.x. Every
   * CIDR in a rendered overlay is one of its values.yaml's; the ECS template holds none but 0.0.0.0/0 (the VPC's range
   * is the parameter VpcCidr, without a default).
   */
  @Test
  void noNetworkRangeOutsideTheOneFileOfValues() throws Exception {
    for (String overlay : OVERLAYS) {
      Map<String, Object> values = values(overlay);
      assertThat(values.get("podNetwork")).as("%s values.yaml podNetwork", overlay).isNotNull();
      List<String> allowed = values.values().stream().map(String::valueOf)
          .flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::trim).toList();
      for (Map<String, Object> o : render(overlay)) {
        for (String text : strings(o)) {
          CIDR.matcher(text).results().map(java.util.regex.MatchResult::group).forEach(cidr ->
              assertThat(allowed).as("%s %s/%s: CIDR %s not from values.yaml", overlay, o.get("kind"), name(o), cidr)
                  .contains(cidr));
        }
      }
    }
    Map<String, Object> template = YAML.readValue(ECS_TEMPLATE.toFile(), Map.class);
    for (String text : strings(template)) {
      CIDR.matcher(text).results().map(java.util.regex.MatchResult::group).forEach(cidr ->
          assertThat(cidr).as("ecs template: a CIDR literal").isEqualTo("0.0.0.0/0"));
    }
    assertThat(path(map(template.get("Parameters")), "VpcCidr", "Default")).as("ecs VpcCidr has no guessed default").isNull();
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
        assertThat(allowlist.allows(addressIn((String) values(overlay).get("podNetwork")))).as("%s admits the pod network", where)
            .isTrue();
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
    Map<String, Object> values = values("production");
    List<Map<String, Object>> objects = render("production");
    assertThat(objects).as("values.yaml is local-config: kustomize uses it, the cluster never sees it")
        .noneMatch(o -> "tickstream-values".equals(name(o)));
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
        Map<String, String> env = ecsEnv(template, c);
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
        // Issue 20: both come from VpcCidr, here a VPC outside 10.x: the allowlist admits its addresses, and the
        // interface pattern matches them.
        io.tickstream.common.cluster.MemberAllowlist allowlist =
            io.tickstream.common.cluster.MemberAllowlist.of(config.get(ClusterSettings.ALLOWED_MEMBERS));
        java.net.InetAddress task = addressIn(ECS_SAMPLE_PARAMETERS.get("VpcCidr"));
        assertThat(allowlist.allows(task)).as("ecs %s admits a task of the VPC", role).isTrue();
        assertThat(allowlist.allows(java.net.InetAddress.getByName("10.0.1.23"))).as("ecs %s: no 10.x guess", role).isFalse();
        assertThat(task.getHostAddress()).as("ecs %s cluster.interface %s", role, config.get(ClusterSettings.INTERFACE))
            .matches(config.get(ClusterSettings.INTERFACE).replace(".", "\\.").replace("*", "\\d{1,3}"));
        // Issue 20: the image's health check (docker/healthcheck.sh: 127.0.0.1:$HEALTH_PORT) on the role's admin port.
        assertThat(list(path(c, "HealthCheck", "Command"))).as("ecs %s container health check", role)
            .containsExactly("CMD", "/usr/local/bin/healthcheck", "/health/live");
        assertThat(env.get("HEALTH_PORT")).as("ecs %s HEALTH_PORT", role).isEqualTo(String.valueOf(admin));
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
    // Issue 20: the NLB takes tens of seconds to stop sending new connections to a deregistered task, and ECS sends
    // SIGTERM only after the delay; established connections are left to the drain.
    Map<String, String> attributes = new LinkedHashMap<>();
    list(targets.get("TargetGroupAttributes")).stream().map(DeployManifestsTest::map)
        .forEach(a -> attributes.put((String) a.get("Key"), String.valueOf(a.get("Value"))));
    assertThat(Long.parseLong(attributes.get("deregistration_delay.timeout_seconds"))).as("ecs deregistration delay")
        .isGreaterThanOrEqualTo(NLB_DEREGISTRATION_PROPAGATION_SECONDS);
    assertThat(attributes).containsEntry("deregistration_delay.connection_termination.enabled", "false");
  }

  /**
   * Issue 20: ECS rounds maximumPercent down, so with minimumHealthyPercent 100 a service at its smallest count must
   * still have room for one more task, or a deployment never starts (one fanout at 150% was one task).
   */
  @Test
  void ecsDeploymentsHaveRoomForASuccessorAtTheSmallestCount() throws Exception {
    Map<String, Object> template = YAML.readValue(ECS_TEMPLATE.toFile(), Map.class);
    Map<String, Object> parameters = map(template.get("Parameters"));
    List<Map<String, Object>> services = map(template.get("Resources")).values().stream().map(DeployManifestsTest::map)
        .filter(r -> "AWS::ECS::Service".equals(r.get("Type"))).toList();
    assertThat(services).hasSize(2);
    for (Map<String, Object> service : services) {
      String count = (String) path(service, "Properties", "DesiredCount", "Ref");
      Map<String, Object> deployment = map(path(service, "Properties", "DeploymentConfiguration"));
      assertThat(deployment.get("MinimumHealthyPercent")).as(count).isEqualTo(100);
      int maximumPercent = ((Number) deployment.get("MaximumPercent")).intValue();
      for (String bound : List.of("MinValue", "Default")) {
        int n = ((Number) path(parameters, count, bound)).intValue();
        assertThat(n * maximumPercent / 100).as("%s %s = %d: tasks allowed during a deployment", count, bound, n)
            .isGreaterThanOrEqualTo(n + 1);
      }
    }
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

  /**
   * A CloudFormation value: literal; Ref to a parameter (its default, or for one without a default its value in
   * {@link #ECS_SAMPLE_PARAMETERS}); Fn::Sub, Fn::Select and Fn::Split evaluated; a stand-in for what AWS computes.
   */
  private static String cfnValue(Map<String, Object> template, Object value) {
    if (!(value instanceof Map<?, ?> fn)) {
      return String.valueOf(value);
    }
    if (fn.containsKey("Ref")) {
      return cfnRef(template, (String) fn.get("Ref"));
    }
    if (fn.containsKey("Fn::Sub")) {
      Object sub = fn.get("Fn::Sub");
      String text = sub instanceof List<?> l ? (String) l.get(0) : (String) sub;
      Map<String, Object> vars = sub instanceof List<?> l ? map(l.get(1)) : Map.of();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{([^}]+)}").matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String name = m.group(1);
        m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(
            vars.containsKey(name) ? cfnValue(template, vars.get(name)) : cfnRef(template, name)));
      }
      return m.appendTail(out).toString();
    }
    if (fn.containsKey("Fn::Select")) {
      List<Object> args = list(fn.get("Fn::Select"));
      return cfnList(template, args.get(1)).get(((Number) args.get(0)).intValue());
    }
    return "stand-in.example:9092";
  }

  private static List<String> cfnList(Map<String, Object> template, Object value) {
    if (value instanceof Map<?, ?> fn && fn.containsKey("Fn::Split")) {
      List<Object> args = list(fn.get("Fn::Split"));
      return List.of(cfnValue(template, args.get(1)).split(java.util.regex.Pattern.quote((String) args.get(0)), -1));
    }
    return list(value).stream().map(v -> cfnValue(template, v)).toList();
  }

  private static String cfnRef(Map<String, Object> template, String name) {
    Object def = path(map(template.get("Parameters")), name, "Default");
    if (def != null && !def.toString().isEmpty()) {
      return def.toString();
    }
    return ECS_SAMPLE_PARAMETERS.getOrDefault(name, "stand-in");
  }

  /** A container's environment as the task would see it; Secrets as stand-ins. */
  private static Map<String, String> ecsEnv(Map<String, Object> template, Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Object e : list(container.get("Environment"))) {
      Map<String, Object> kv = map(e);
      env.put((String) kv.get("Name"), cfnValue(template, kv.get("Value")));
    }
    for (Object e : list(container.get("Secrets"))) {
      env.put((String) map(e).get("Name"), "secret-from-secrets-manager");
    }
    return env;
  }

  private static List<Map<String, Object>> ecsTasks(Map<String, Object> template) {
    return map(template.get("Resources")).values().stream().map(DeployManifestsTest::map)
        .filter(r -> "AWS::ECS::TaskDefinition".equals(r.get("Type"))).toList();
  }

  // ------------------------------------------------------------------ issue 20's helpers

  /** An overlay's values.yaml (the local-config ConfigMap tickstream-values), its data. */
  private static Map<String, Object> values(String overlay) throws IOException {
    Map<String, Object> cm = YAML.readValue(KUBERNETES.resolve("overlays").resolve(overlay).resolve("values.yaml").toFile(), Map.class);
    assertThat(path(cm, "metadata", "name")).as("%s values.yaml", overlay).isEqualTo("tickstream-values");
    return map(cm.get("data"));
  }

  /** An address inside a CIDR (its network address + 23), for allowlist checks. */
  private static java.net.InetAddress addressIn(String cidr) throws java.net.UnknownHostException {
    byte[] network = java.net.InetAddress.getByName(cidr.split(",")[0].trim().split("/")[0]).getAddress();
    int ip = java.nio.ByteBuffer.wrap(network).getInt() + 23;
    return java.net.InetAddress.getByAddress(java.nio.ByteBuffer.allocate(4).putInt(ip).array());
  }

  /** registry/name of an image reference, without its tag. */
  private static String imageRepository(String image) {
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    return colon > slash ? image.substring(0, colon) : image;
  }

  /** The NLB target group's attributes, from the AWS Load Balancer Controller's annotation. */
  private static Map<String, String> targetGroupAttributes(Map<String, Object> service) {
    Object annotation = path(service, "metadata", "annotations",
        "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes");
    assertThat(annotation).as("target group attributes of %s", name(service)).isNotNull();
    Map<String, String> attributes = new LinkedHashMap<>();
    for (String kv : String.valueOf(annotation).split(",")) {
      String[] parts = kv.trim().split("=", 2);
      attributes.put(parts[0], parts[1]);
    }
    return attributes;
  }

  /**
   * heap (MaxRAMPercentage of the limit) + MaxDirectMemorySize + {@link #JVM_OVERHEAD_MIB} within the limit. The options
   * are JAVA_OPTS, last on the entrypoint's command line, so the last occurrence of each wins over the image's.
   */
  private static void assertMemoryBudget(String where, String javaOpts, long limitMib) {
    assertThat(javaOpts).as("%s JAVA_OPTS", where).isNotNull();
    java.util.regex.Matcher percent = java.util.regex.Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(javaOpts);
    java.util.regex.Matcher direct = java.util.regex.Pattern.compile("-XX:MaxDirectMemorySize=(\\d+)([kKmMgG]?)(?!\\S)").matcher(javaOpts);
    assertThat(percent.find()).as("%s: the heap as a share of the limit", where).isTrue();
    assertThat(direct.find()).as("%s: direct memory bounded (it defaults to the heap's size)", where).isTrue();
    double heap = limitMib * Double.parseDouble(percent.group(1)) / 100;
    long value = Long.parseLong(direct.group(1));
    double directMib = switch (direct.group(2).toLowerCase()) {
      case "" -> value / (1024.0 * 1024);
      case "k" -> value / 1024.0;
      case "m" -> value;
      default -> value * 1024.0;
    };
    assertThat(heap + directMib + JVM_OVERHEAD_MIB).as("%s: heap %.0f + direct %.0f + %d MiB within the %d MiB limit",
        where, heap, directMib, JVM_OVERHEAD_MIB, limitMib).isLessThanOrEqualTo((double) limitMib);
  }

  /** A Kubernetes memory quantity in MiB (Mi, Gi, M, G). */
  private static long kubernetesMebibytes(String quantity) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(Mi|Gi|M|G)").matcher(quantity);
    assertThat(m.matches()).as("memory quantity %s", quantity).isTrue();
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "Mi" -> n;
      case "Gi" -> n * 1024;
      case "M" -> n * 1_000_000 / (1024 * 1024);
      default -> n * 1_000_000_000L / (1024 * 1024);
    };
  }

  /** A Kubernetes CPU quantity in CPUs ("2", "500m"). */
  private static double cpus(String quantity) {
    return quantity.endsWith("m") ? Double.parseDouble(quantity.substring(0, quantity.length() - 1)) / 1000
        : Double.parseDouble(quantity);
  }

  /** Every string value (and key) in a parsed document, but CloudFormation's descriptions (prose, with examples). */
  private static List<String> strings(Object node) {
    List<String> out = new ArrayList<>();
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        out.add(String.valueOf(k));
        if (!List.of("Description", "ConstraintDescription").contains(String.valueOf(k))) {
          out.addAll(strings(v));
        }
      });
    } else if (node instanceof List<?> l) {
      l.forEach(v -> out.addAll(strings(v)));
    } else if (node != null) {
      out.add(String.valueOf(node));
    }
    return out;
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
