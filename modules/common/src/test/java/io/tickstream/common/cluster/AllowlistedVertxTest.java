package io.tickstream.common.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.tickstream.common.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Vert.x over members started with {@code cluster.allowed-members} (which Vert.x cannot start itself): the event bus
 * works across them, binds {@code cluster.interface} only, and closing Vert.x shuts the member down.
 */
class AllowlistedVertxTest {

  @Test
  void clusteredVertxOnAllowlistedMembersTalksBindsTheInterfaceAndShutsTheMemberDown() throws Exception {
    int base = ThreadLocalRandom.current().nextInt(52_000, 60_000);
    Config cluster = Config.defaults(ClusterSettings.ALL)
        .with(ClusterSettings.NAME, "allowlisted-vertx-" + base)
        .with(ClusterSettings.PORT, base)
        .with(ClusterSettings.MEMBERS, List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1)))
        .with(ClusterSettings.ALLOWED_MEMBERS, List.of("127.0.0.0/8"));
    Vertx a = HazelcastCluster.vertx(cluster, new VertxOptions()).await(60, TimeUnit.SECONDS);
    Vertx b = HazelcastCluster.vertx(cluster.with(ClusterSettings.PORT, base + 1), new VertxOptions()).await(60, TimeUnit.SECONDS);
    try {
      b.eventBus().<String>consumer("allowlisted.ping", m -> m.reply("pong")).completion().await(10, TimeUnit.SECONDS);
      String reply = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> a.eventBus()
          .<String>request("allowlisted.ping", "ping").await(5, TimeUnit.SECONDS).body(), r -> r != null);
      assertThat(reply).isEqualTo("pong");
      assertThat(HazelcastCluster.refusedPeers(a)).isZero();

      // The clustered event bus listens on cluster.interface only, like Hazelcast.
      NodeInfo bus = ((VertxInternal) a).clusterManager().getNodeInfo();
      assertThat(bus.host()).isEqualTo("127.0.0.1");
      assertThatThrownBy(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.2", bus.port()), 5_000);
        }
      }).isInstanceOf(ConnectException.class);
    } finally {
      b.close().await(30, TimeUnit.SECONDS);
    }
    HazelcastInstance member = ((HazelcastClusterManager) ((VertxInternal) a).clusterManager()).getHazelcastInstance();
    a.close().await(30, TimeUnit.SECONDS);
    assertThat(member.getLifecycleService().isRunning()).as("the member we started is shut down with Vert.x").isFalse();
  }
}
