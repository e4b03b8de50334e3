package io.tickstream.common.cluster;

import com.hazelcast.config.JoinConfig;
import io.tickstream.common.config.Config;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HazelcastClusterTest {

  @Test
  void defaultsJoinTheListedLoopbackMembersOverTcpWithoutMulticast() {
    com.hazelcast.config.Config hz = HazelcastCluster.clusterManager(Config.defaults(ClusterSettings.ALL)).getConfig();
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(hz.getClusterName()).isEqualTo("tickstream");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(hz.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
    // A healed partition merges within seconds, not Hazelcast's 300 s.
    assertThat(hz.getProperty("hazelcast.merge.first.run.delay.seconds")).isEqualTo("10");
    assertThat(hz.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("10");
    // Vert.x's own map configuration survives.
    assertThat(hz.getMapConfigs()).containsKey("__vertx.haInfo");
  }

  @Test
  void containerSettingsReachTheHazelcastConfig() {
    Config c = Config.defaults(ClusterSettings.ALL)
        .with(ClusterSettings.NAME, "prod")
        .with(ClusterSettings.MEMBERS, List.of("10.0.0.1:5701", "10.0.0.2:5701"))
        .with(ClusterSettings.INTERFACE, "10.0.*.*")
        .with(ClusterSettings.PUBLIC_ADDRESS, "203.0.113.7:5701");
    com.hazelcast.config.Config hz = HazelcastCluster.clusterManager(c).getConfig();
    assertThat(hz.getClusterName()).isEqualTo("prod");
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.*.*");
    assertThat(hz.getNetworkConfig().getPublicAddress()).isEqualTo("203.0.113.7:5701");
  }

  @Test
  void failureDetectionDurationsAreRoundedUpToWholeSeconds() {
    Config c = Config.defaults(ClusterSettings.ALL)
        .with(ClusterSettings.HEARTBEAT_INTERVAL, java.time.Duration.ofMillis(200))
        .with(ClusterSettings.MAX_NO_HEARTBEAT, java.time.Duration.ofMillis(2500));
    com.hazelcast.config.Config hz = HazelcastCluster.clusterManager(c).getConfig();
    assertThat(hz.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("3");
  }

  @Test
  void multicastReplacesTheMemberList() {
    Config c = Config.defaults(ClusterSettings.ALL).with(ClusterSettings.MULTICAST, true);
    JoinConfig join = HazelcastCluster.clusterManager(c).getConfig().getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
  }
}
