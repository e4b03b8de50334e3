package io.tickstream.common.cluster;

import com.hazelcast.config.AwsConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.vertx.core.eventbus.EventBusOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** cluster.discovery selects exactly one of Hazelcast's own join mechanisms, with the properties each needs. */
class HazelcastDiscoveryTest {

  private static JoinConfig join(Config c) {
    return HazelcastCluster.clusterManager(c).getConfig().getNetworkConfig().getJoin();
  }

  private static Config env(Map<String, String> env) throws ConfigException {
    return Config.fromJson(ClusterSettings.ALL, new io.vertx.core.json.JsonObject(), env);
  }

  @Test
  void tcpIpIsTheDefaultAndNoCloudDiscoveryIsEnabled() {
    JoinConfig join = join(Config.defaults(ClusterSettings.ALL));
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getAwsConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
  }

  @Test
  void kubernetesByServiceDnsNeedsNoApiAndResolvesNotReadyPods() throws Exception {
    JoinConfig join = join(env(Map.of(
        "TICKSTREAM_CLUSTER_DISCOVERY", "kubernetes",
        "TICKSTREAM_CLUSTER_KUBERNETES_SERVICE_DNS", "tickstream-hazelcast.md.svc.cluster.local",
        "TICKSTREAM_CLUSTER_PORT", "5801")));
    KubernetesConfig k8s = join.getKubernetesConfig();
    assertThat(k8s.isEnabled()).isTrue();
    assertThat(k8s.getProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "service-dns", "tickstream-hazelcast.md.svc.cluster.local",
        "service-port", "5801",
        "resolve-not-ready-addresses", "true"));
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAwsConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
  }

  @Test
  void kubernetesByServiceNameUsesTheApiInTheGivenNamespace() throws Exception {
    KubernetesConfig k8s = join(env(Map.of(
        "TICKSTREAM_CLUSTER_DISCOVERY", "kubernetes",
        "TICKSTREAM_CLUSTER_KUBERNETES_SERVICE_NAME", "tickstream-hazelcast",
        "TICKSTREAM_CLUSTER_KUBERNETES_NAMESPACE", "md"))).getKubernetesConfig();
    assertThat(k8s.isEnabled()).isTrue();
    assertThat(k8s.getProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "service-name", "tickstream-hazelcast",
        "namespace", "md",
        "service-port", "5701",
        "resolve-not-ready-addresses", "true"));
  }

  @Test
  void kubernetesRefusesNeitherOrBothServiceDnsAndServiceName() throws Exception {
    Config neither = env(Map.of("TICKSTREAM_CLUSTER_DISCOVERY", "kubernetes"));
    assertThatThrownBy(() -> join(neither)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster.kubernetes.service-dns");
    Config both = env(Map.of("TICKSTREAM_CLUSTER_DISCOVERY", "kubernetes",
        "TICKSTREAM_CLUSTER_KUBERNETES_SERVICE_DNS", "a.b.svc", "TICKSTREAM_CLUSTER_KUBERNETES_SERVICE_NAME", "a"));
    assertThatThrownBy(() -> join(both)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void awsEcsPassesOnlyTheEcsFilters() throws Exception {
    JoinConfig join = join(env(Map.of(
        "TICKSTREAM_CLUSTER_DISCOVERY", "aws",
        "TICKSTREAM_CLUSTER_AWS_REGION", "ap-northeast-1",
        "TICKSTREAM_CLUSTER_AWS_ECS_CLUSTER", "tickstream",
        "TICKSTREAM_CLUSTER_AWS_ECS_SERVICE_NAME", "fanout",
        // An EC2 filter given by mistake is not handed to Hazelcast in ECS mode.
        "TICKSTREAM_CLUSTER_AWS_EC2_TAG_KEY", "role")));
    AwsConfig aws = join.getAwsConfig();
    assertThat(aws.isEnabled()).isTrue();
    assertThat(aws.getProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "region", "ap-northeast-1",
        "cluster", "tickstream",
        "service-name", "fanout",
        "hz-port", "5701-5703"));
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  void awsEc2FiltersByTagAndSecurityGroup() throws Exception {
    AwsConfig aws = join(env(Map.of(
        "TICKSTREAM_CLUSTER_DISCOVERY", "aws",
        "TICKSTREAM_CLUSTER_AWS_MODE", "ec2",
        "TICKSTREAM_CLUSTER_AWS_EC2_TAG_KEY", "tickstream-cluster",
        "TICKSTREAM_CLUSTER_AWS_EC2_TAG_VALUE", "prod",
        "TICKSTREAM_CLUSTER_AWS_EC2_SECURITY_GROUP", "tickstream-nodes",
        "TICKSTREAM_CLUSTER_AWS_ECS_FAMILY", "ignored-in-ec2-mode"))).getAwsConfig();
    assertThat(aws.isEnabled()).isTrue();
    assertThat(aws.getProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "tag-key", "tickstream-cluster",
        "tag-value", "prod",
        "security-group-name", "tickstream-nodes",
        "hz-port", "5701-5703"));
  }

  @Test
  void multicastOnlyAppliesToTcpIpDiscovery() throws Exception {
    JoinConfig join = join(env(Map.of("TICKSTREAM_CLUSTER_DISCOVERY", "aws", "TICKSTREAM_CLUSTER_MULTICAST", "true")));
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAwsConfig().isEnabled()).isTrue();
  }

  @Test
  void unknownDiscoveryModeIsRefusedAtConfigTime() {
    assertThatThrownBy(() -> env(Map.of("TICKSTREAM_CLUSTER_DISCOVERY", "consul")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("tcp-ip, kubernetes, aws");
  }

  @Test
  void eventBusPortIsFixedBySettingUnlessTheLauncherNamedOne() throws Exception {
    Config c = env(Map.of("TICKSTREAM_CLUSTER_EVENT_BUS_PORT", "5710"));
    assertThat(HazelcastCluster.eventBus(c, new EventBusOptions()).getPort()).isEqualTo(5710);
    assertThat(HazelcastCluster.eventBus(c, new EventBusOptions().setPort(6000)).getPort()).isEqualTo(6000);
    assertThat(HazelcastCluster.eventBus(Config.defaults(ClusterSettings.ALL), new EventBusOptions()).getPort()).isZero();
  }
}
