package io.tickstream.common.cluster;

import io.tickstream.common.config.Setting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a role process joins the tickstream cluster through Hazelcast (see {@link HazelcastCluster}): TCP-IP join by
 * default, or Hazelcast's own Kubernetes or AWS discovery ({@link #DISCOVERY}).
 */
public final class ClusterSettings {

  public static final Setting<Boolean> ENABLED = Setting.ofBoolean("cluster.enabled", true,
      "Start a clustered Vert.x that joins the other nodes through Hazelcast; false runs the node alone.");
  /**
   * The default suits one developer's machine, where the interface is loopback. Two deployments that can reach each
   * other's Hazelcast ports and share a name merge into one cluster (both doing the other's work, ticks published
   * twice): every deployment sets a name of its own (the manifests in deploy/ derive it from the namespace or stack).
   * The name is no secret and no authentication: {@link #ALLOWED_MEMBERS} and network policy are what keep others out.
   */
  public static final String DEFAULT_NAME = "tickstream";
  public static final Setting<String> NAME = Setting.ofString("cluster.name", DEFAULT_NAME,
      "Hazelcast cluster name: only nodes with the same name join each other. Set one per deployment (two deployments "
      + "sharing a name and a network merge); it is no secret: cluster.allowed-members and network policy keep others out.");
  public static final Setting<List<String>> MEMBERS = Setting.ofList("cluster.members",
      List.of("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703"),
      "Hazelcast members to join over TCP-IP, host:port, comma-separated, one entry per member (no port ranges).");
  public static final Setting<Integer> PORT = Setting.ofInt("cluster.port", 5701, 1, 65535,
      "First Hazelcast member port; taken ports are skipped upwards, so several nodes share one host.");
  public static final Setting<String> INTERFACE = Setting.ofString("cluster.interface", "127.0.0.1",
      "Address (or Hazelcast pattern such as 10.0.*.*) Hazelcast and the clustered event bus bind to.");
  public static final Setting<String> PUBLIC_ADDRESS = Setting.ofString("cluster.public-address", null,
      "Address other members reach this one at, host or host:port, when it differs from the bound one (containers, NAT).");
  /**
   * Hazelcast's open-source edition lets anyone who reaches its port join; this list is enforced on every member
   * (connections from and join requests naming other addresses are refused, see {@link MemberAllowlist}). Empty
   * allows any address: the default interface is loopback, where only this host's processes reach the port.
   */
  public static final Setting<List<String>> ALLOWED_MEMBERS = Setting.ofList("cluster.allowed-members", List.of(),
      "IP addresses and CIDR networks (e.g. 10.0.0.0/16) cluster peers may connect from; connections and join requests "
      + "from anywhere else are refused and counted. Empty allows any address that reaches cluster.interface: set it "
      + "wherever that interface is not loopback.");
  public static final Setting<Boolean> MULTICAST = Setting.ofBoolean("cluster.multicast", false,
      "Discover members by multicast instead of the cluster.members list (rarely allowed outside a LAN).");

  /**
   * Hazelcast's heartbeat period. Together with {@link #MAX_NO_HEARTBEAT} it bounds how long a member whose host
   * vanished (no socket closed) stays in the cluster; a killed process on a live host is seen sooner, through its
   * closed connections. Hazelcast counts whole seconds: values are rounded up, at least 1 s.
   */
  public static final Setting<Duration> HEARTBEAT_INTERVAL = Setting.ofDuration("cluster.heartbeat-interval",
      Duration.ofSeconds(1), "Hazelcast heartbeat period between members (whole seconds, at least 1s).");
  /**
   * A member silent for this long is suspected and removed (Hazelcast's default is 60 s). Lower takes over a
   * vanished host's work sooner; too low removes a member that is only paused (GC, CPU starvation), which then
   * runs alone until Hazelcast merges it back, doing its work twice meanwhile.
   */
  public static final Setting<Duration> MAX_NO_HEARTBEAT = Setting.ofDuration("cluster.max-no-heartbeat",
      Duration.ofSeconds(5), "A member without heartbeat for this long is removed; lower fails over sooner, too low removes paused members (whole seconds).");

  /**
   * How often the oldest member looks for another cluster of the same name at the listed members, and so how soon
   * after a network partition heals the two sides merge back into one (Hazelcast's
   * {@code hazelcast.merge.first.run.delay.seconds} and {@code hazelcast.merge.next.run.delay.seconds}, 300 s and
   * 120 s by default). Until they merge both sides do the same work (an ingest's chunks are written twice). A look
   * is a connection attempt per listed member address: cheap.
   */
  public static final Setting<Duration> MERGE_INTERVAL = Setting.ofDuration("cluster.merge-interval",
      Duration.ofSeconds(10), "How often, and how soon after start, a cluster looks for a split-off part of itself to merge with after a network partition heals (whole seconds).");

  /**
   * The port of the clustered event bus (Vert.x's own TCP connections between nodes, apart from Hazelcast's). 0 picks
   * a free one, fine on one host; a firewall, security group or NetworkPolicy between nodes needs it fixed. The
   * launcher's {@code -cluster-port} wins over it.
   */
  public static final Setting<Integer> EVENT_BUS_PORT = Setting.ofInt("cluster.event-bus-port", 0, 0, 65535,
      "Port of the clustered event bus between nodes; 0 picks a free one. Fix it where a firewall or NetworkPolicy sits between nodes (-cluster-port wins).");

  /**
   * The clustered event bus accepts any TCP peer and delivers what it receives (the express lane's ticks travel on it):
   * with a key store it speaks TLS and requires every peer to present a certificate its trust store trusts, so only
   * holders of the deployment's key take part. Without one it is plaintext, private only through network policy.
   */
  public static final Setting<String> EVENT_BUS_TLS_KEYSTORE = Setting.ofString("cluster.event-bus-tls.keystore", null,
      "PKCS12 key store with this node's key and certificate for the clustered event bus; set, the event bus speaks TLS "
      + "and accepts only peers with a certificate cluster.event-bus-tls.truststore trusts. Unset: plaintext (keep it private by network policy).");
  public static final Setting<String> EVENT_BUS_TLS_TRUSTSTORE = Setting.ofString("cluster.event-bus-tls.truststore", null,
      "PKCS12 trust store of the certificates (or their CA) event-bus peers must present; unset uses the key store itself (one certificate shared by the nodes).");
  public static final Setting<String> EVENT_BUS_TLS_PASSWORD = Setting.ofSecret("cluster.event-bus-tls.password",
      "Password of the event-bus key and trust stores (prefer TICKSTREAM_CLUSTER_EVENT_BUS_TLS_PASSWORD from a secret).");

  // Discovery: how a member finds the others. Each mode is Hazelcast's own join (HazelcastDiscovery); no discovery of ours.
  public static final String DISCOVERY_TCP_IP = "tcp-ip";
  public static final String DISCOVERY_KUBERNETES = "kubernetes";
  public static final String DISCOVERY_AWS = "aws";
  public static final Setting<String> DISCOVERY = Setting.ofChoice("cluster.discovery", DISCOVERY_TCP_IP,
      List.of(DISCOVERY_TCP_IP, DISCOVERY_KUBERNETES, DISCOVERY_AWS),
      "How members find each other: tcp-ip (cluster.members, or cluster.multicast), kubernetes (Hazelcast's Kubernetes "
      + "discovery, cluster.kubernetes.*) or aws (Hazelcast's AWS discovery, ECS or EC2, cluster.aws.*).");
  public static final Setting<String> KUBERNETES_SERVICE_DNS = Setting.ofString("cluster.kubernetes.service-dns", null,
      "kubernetes discovery by DNS: the headless Service's name, e.g. tickstream-hazelcast.ns.svc.cluster.local (needs no RBAC); "
      + "set this or cluster.kubernetes.service-name.");
  public static final Setting<String> KUBERNETES_SERVICE_NAME = Setting.ofString("cluster.kubernetes.service-name", null,
      "kubernetes discovery through the Kubernetes API: the Service whose endpoints are the members (needs get/list on "
      + "endpoints, endpointslices and pods); set this or cluster.kubernetes.service-dns.");
  public static final Setting<String> KUBERNETES_NAMESPACE = Setting.ofString("cluster.kubernetes.namespace", null,
      "Namespace of cluster.kubernetes.service-name; unset reads the pod's own namespace from its service account.");
  public static final String AWS_MODE_ECS = "ecs";
  public static final String AWS_MODE_EC2 = "ec2";
  public static final Setting<String> AWS_MODE = Setting.ofChoice("cluster.aws.mode", AWS_MODE_ECS,
      List.of(AWS_MODE_ECS, AWS_MODE_EC2),
      "aws discovery: ecs lists the ECS cluster's tasks (awsvpc networking; Hazelcast uses the ECS API when the ECS agent "
      + "set AWS_EXECUTION_ENV), ec2 lists EC2 instances by tag or security group.");
  public static final Setting<String> AWS_REGION = Setting.ofString("cluster.aws.region", null,
      "aws discovery: region to look members up in; unset takes the region of the task or instance.");
  public static final Setting<String> AWS_ECS_CLUSTER = Setting.ofString("cluster.aws.ecs-cluster", null,
      "aws ecs: ECS cluster whose tasks are members; unset takes the task's own cluster.");
  public static final Setting<String> AWS_ECS_FAMILY = Setting.ofString("cluster.aws.ecs-family", null,
      "aws ecs: only tasks of this task-definition family (unset: any; ingest and fanout are different families, so leave it unset for one cluster of both).");
  public static final Setting<String> AWS_ECS_SERVICE_NAME = Setting.ofString("cluster.aws.ecs-service-name", null,
      "aws ecs: only tasks of this ECS service (unset: any).");
  public static final Setting<String> AWS_EC2_TAG_KEY = Setting.ofString("cluster.aws.ec2-tag-key", null,
      "aws ec2: only instances with this tag (with cluster.aws.ec2-tag-value).");
  public static final Setting<String> AWS_EC2_TAG_VALUE = Setting.ofString("cluster.aws.ec2-tag-value", null,
      "aws ec2: value of cluster.aws.ec2-tag-key.");
  public static final Setting<String> AWS_EC2_SECURITY_GROUP = Setting.ofString("cluster.aws.ec2-security-group", null,
      "aws ec2: only instances in this security group (by name).");
  public static final Setting<String> AWS_EC2_IAM_ROLE = Setting.ofString("cluster.aws.ec2-iam-role", null,
      "aws ec2: IAM role whose credentials Hazelcast uses for the EC2 API; unset takes the instance profile's.");

  /** The discovery settings, in documentation order. */
  public static final List<Setting<?>> DISCOVERY_SETTINGS = List.of(DISCOVERY, KUBERNETES_SERVICE_DNS,
      KUBERNETES_SERVICE_NAME, KUBERNETES_NAMESPACE, AWS_MODE, AWS_REGION, AWS_ECS_CLUSTER, AWS_ECS_FAMILY,
      AWS_ECS_SERVICE_NAME, AWS_EC2_TAG_KEY, AWS_EC2_TAG_VALUE, AWS_EC2_SECURITY_GROUP, AWS_EC2_IAM_ROLE);

  /** Every cluster setting, in documentation order. */
  public static final List<Setting<?>> ALL;

  static {
    List<Setting<?>> all = new ArrayList<>(List.of(ENABLED, NAME, MEMBERS, PORT, INTERFACE, PUBLIC_ADDRESS, ALLOWED_MEMBERS, MULTICAST,
        HEARTBEAT_INTERVAL, MAX_NO_HEARTBEAT, MERGE_INTERVAL, EVENT_BUS_PORT, EVENT_BUS_TLS_KEYSTORE,
        EVENT_BUS_TLS_TRUSTSTORE, EVENT_BUS_TLS_PASSWORD));
    all.addAll(DISCOVERY_SETTINGS);
    ALL = List.copyOf(all);
  }

  private ClusterSettings() {
  }
}
