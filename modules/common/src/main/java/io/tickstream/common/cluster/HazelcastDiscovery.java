package io.tickstream.common.cluster;

import com.hazelcast.config.AliasedDiscoveryConfig;
import com.hazelcast.config.AwsConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import com.hazelcast.config.TcpIpConfig;
import io.tickstream.common.config.Config;

/**
 * Sets a Hazelcast {@link JoinConfig} from {@code cluster.discovery}: exactly one join mechanism enabled, each
 * Hazelcast's own (TCP-IP or multicast, the Kubernetes discovery, the AWS discovery, all in Hazelcast core since 5.0).
 *
 * <p>Kubernetes: {@code service-dns} (DNS lookup of a headless Service, no RBAC) or {@code service-name} with
 * {@code namespace} (Kubernetes API, needs get/list on endpoints, endpointslices and pods). Not-ready addresses are
 * always resolved: a fanout is not ready until it has data, and it must join the cluster before that.
 *
 * <p>AWS: Hazelcast itself picks the ECS API when the ECS agent's {@code AWS_EXECUTION_ENV} says ECS, the EC2 API
 * otherwise; {@code cluster.aws.mode} says which of our filters apply (ECS cluster/family/service, or EC2
 * tag/security group/IAM role), so a setting of the other mode is never handed to Hazelcast. Members are probed on
 * {@code cluster.port} and the two ports above it (several nodes on one EC2 host step upwards).
 */
final class HazelcastDiscovery {

  /** Ports probed per discovered address above {@code cluster.port}, for several nodes on one host. */
  static final int AWS_EXTRA_PORTS = 2;

  private HazelcastDiscovery() {
  }

  /** Configures {@code join} from {@code config}; throws {@link IllegalArgumentException} for an incomplete mode. */
  static void configure(JoinConfig join, Config config) {
    String mode = config.get(ClusterSettings.DISCOVERY);
    boolean tcpIp = mode.equals(ClusterSettings.DISCOVERY_TCP_IP);
    boolean multicast = tcpIp && config.get(ClusterSettings.MULTICAST);
    join.getMulticastConfig().setEnabled(multicast);
    join.getAutoDetectionConfig().setEnabled(false);
    TcpIpConfig tcp = join.getTcpIpConfig().setEnabled(tcpIp && !multicast);
    tcp.getMembers().clear();
    if (tcpIp) {
      // A range such as 127.0.0.1:5701-5703 throws: members are added one by one.
      config.get(ClusterSettings.MEMBERS).forEach(tcp::addMember);
    }
    join.getKubernetesConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    switch (mode) {
      case ClusterSettings.DISCOVERY_KUBERNETES -> kubernetes(join.getKubernetesConfig(), config);
      case ClusterSettings.DISCOVERY_AWS -> aws(join.getAwsConfig(), config);
      default -> { }
    }
  }

  private static void kubernetes(KubernetesConfig k8s, Config config) {
    String dns = config.get(ClusterSettings.KUBERNETES_SERVICE_DNS);
    String service = config.get(ClusterSettings.KUBERNETES_SERVICE_NAME);
    if (isSet(dns) == isSet(service)) {
      throw new IllegalArgumentException("cluster.discovery=kubernetes needs exactly one of "
          + ClusterSettings.KUBERNETES_SERVICE_DNS.key() + " and " + ClusterSettings.KUBERNETES_SERVICE_NAME.key());
    }
    k8s.setEnabled(true);
    if (isSet(dns)) {
      k8s.setProperty("service-dns", dns);
    } else {
      k8s.setProperty("service-name", service);
      put(k8s, "namespace", config.get(ClusterSettings.KUBERNETES_NAMESPACE));
    }
    k8s.setProperty("service-port", String.valueOf(config.get(ClusterSettings.PORT)));
    k8s.setProperty("resolve-not-ready-addresses", "true");
  }

  private static void aws(AwsConfig aws, Config config) {
    aws.setEnabled(true);
    put(aws, "region", config.get(ClusterSettings.AWS_REGION));
    int port = config.get(ClusterSettings.PORT);
    aws.setProperty("hz-port", port + "-" + Math.min(65535, port + AWS_EXTRA_PORTS));
    if (config.get(ClusterSettings.AWS_MODE).equals(ClusterSettings.AWS_MODE_ECS)) {
      put(aws, "cluster", config.get(ClusterSettings.AWS_ECS_CLUSTER));
      put(aws, "family", config.get(ClusterSettings.AWS_ECS_FAMILY));
      put(aws, "service-name", config.get(ClusterSettings.AWS_ECS_SERVICE_NAME));
    } else {
      put(aws, "tag-key", config.get(ClusterSettings.AWS_EC2_TAG_KEY));
      put(aws, "tag-value", config.get(ClusterSettings.AWS_EC2_TAG_VALUE));
      put(aws, "security-group-name", config.get(ClusterSettings.AWS_EC2_SECURITY_GROUP));
      put(aws, "iam-role", config.get(ClusterSettings.AWS_EC2_IAM_ROLE));
    }
  }

  private static void put(AliasedDiscoveryConfig<?> c, String property, String value) {
    if (isSet(value)) {
      c.setProperty(property, value);
    }
  }

  private static boolean isSet(String value) {
    return value != null && !value.isEmpty();
  }
}
