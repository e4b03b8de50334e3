package io.tickstream.common.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.tickstream.common.config.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13: anyone who reached the Hazelcast port with the cluster name joined the cluster. Real members on loopback:
 * allowed ones on 127.0.0.1, intruders on 127.0.0.2 (another source address on the same host).
 */
class MemberAllowlistTest {

  private final List<HazelcastInstance> members = new ArrayList<>();
  private final int base = ThreadLocalRandom.current().nextInt(42_000, 52_000);

  @AfterEach
  void shutdown() {
    members.forEach(m -> m.getLifecycleService().terminate());
  }

  /** Settings of an allowed member on 127.0.0.1 at {@code port}, listing the first allowed member's port. */
  private Config allowed(int port) {
    return Config.defaults(ClusterSettings.ALL)
        .with(ClusterSettings.NAME, "allowlist-" + base)
        .with(ClusterSettings.PORT, port)
        .with(ClusterSettings.MEMBERS, List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1)))
        .with(ClusterSettings.ALLOWED_MEMBERS, List.of("127.0.0.1/32"));
  }

  private HazelcastInstance start(Config config) {
    HazelcastInstance m = HazelcastCluster.clusterManager(config).getHazelcastInstance();
    members.add(m);
    return m;
  }


  /**
   * An intruder: a plain Hazelcast member (no allowlist of its own), same cluster name, looking for the allowed member;
   * it gives up joining after a few seconds and runs alone, as Hazelcast does. It listens on 127.0.0.1 (the only
   * address the loopback interface has here) and is known as {@code address}: Hazelcast binds the sockets it opens to
   * that address, so its connections come from it, unless {@code bindOutgoing} is false (then from 127.0.0.1).
   */
  private CompletableFuture<HazelcastInstance> intruder(String address, int port, boolean bindOutgoing) {
    com.hazelcast.config.Config hz = HazelcastCluster.hazelcastConfig(Config.defaults(ClusterSettings.ALL)
        .with(ClusterSettings.NAME, "allowlist-" + base)
        .with(ClusterSettings.PORT, port)
        .with(ClusterSettings.PUBLIC_ADDRESS, address + ":" + port)
        .with(ClusterSettings.MEMBERS, List.of("127.0.0.1:" + base)));
    hz.setProperty("hazelcast.socket.client.bind", String.valueOf(bindOutgoing));
    hz.setProperty("hazelcast.max.join.seconds", "5");
    return CompletableFuture.supplyAsync(() -> {
      HazelcastInstance m = Hazelcast.newHazelcastInstance(hz);
      synchronized (members) {
        members.add(m);
      }
      return m;
    });
  }

  @Test
  void aMemberFromAnAddressOutsideTheListIsRefusedWhileAllowedOnesJoin() throws Exception {
    Config first = allowed(base);
    AllowlistClusterManager manager = (AllowlistClusterManager) HazelcastCluster.clusterManager(first);
    HazelcastInstance a = manager.getHazelcastInstance();
    members.add(a);

    CompletableFuture<HazelcastInstance> intruding = intruder("127.0.0.2", base + 10, true);
    await().atMost(Duration.ofSeconds(60)).until(() -> manager.allowlist().refused() >= 1);
    HazelcastInstance intruder = intruding.get(120, TimeUnit.SECONDS);
    assertThat(intruder.getCluster().getMembers()).as("the intruder runs alone").hasSize(1);
    assertThat(a.getCluster().getMembers()).as("the allowed member never saw it join").hasSize(1);

    HazelcastInstance b = start(allowed(base + 1));
    await().atMost(Duration.ofSeconds(60)).until(() -> a.getCluster().getMembers().size() == 2);
    assertThat(b.getCluster().getMembers()).hasSize(2);
    assertThat(a.getCluster().getMembers()).noneMatch(m -> m.getAddress().getHost().equals("127.0.0.2"));
  }

  @Test
  void aJoinRequestClaimingAnAddressOutsideTheListIsRefusedEvenFromAnAllowedHost() throws Exception {
    AllowlistClusterManager manager = (AllowlistClusterManager) HazelcastCluster.clusterManager(allowed(base));
    HazelcastInstance a = manager.getHazelcastInstance();
    members.add(a);

    // Connects from 127.0.0.1 (allowed, so the socket check lets it through) but asks to be enrolled as 127.0.0.3.
    // The master answers with Hazelcast's before-join-check failure, on which the joiner shuts itself down.
    assertThatThrownBy(() -> intruder("127.0.0.3", base + 20, false).get(120, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasRootCauseMessage("Node failed to start!");
    assertThat(manager.allowlist().refused()).isPositive();
    assertThat(a.getCluster().getMembers()).hasSize(1);
  }

  /** {@code cluster.interface} is the only address Hazelcast listens on ({@code hazelcast.socket.bind.any=false}). */
  @Test
  void hazelcastListensOnlyOnTheConfiguredInterface() throws Exception {
    HazelcastInstance a = start(Config.defaults(ClusterSettings.ALL).with(ClusterSettings.NAME, "bind-" + base)
        .with(ClusterSettings.PORT, base).with(ClusterSettings.MEMBERS, List.of("127.0.0.1:" + base))
        .with(ClusterSettings.ALLOWED_MEMBERS, List.of("127.0.0.1")));
    int port = a.getCluster().getLocalMember().getAddress().getPort();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    }
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.2", port), 5_000);
      }
    }).isInstanceOf(ConnectException.class);
  }

  @Test
  void entriesAreAddressesOrCidrNetworksOfEitherFamily() throws Exception {
    MemberAllowlist list = MemberAllowlist.of(List.of("10.0.0.0/16", "192.168.1.7", "fd00::/8", " "));
    assertThat(list.allows(InetAddress.getByName("10.0.255.1"))).isTrue();
    assertThat(list.allows(InetAddress.getByName("10.1.0.1"))).isFalse();
    assertThat(list.allows(InetAddress.getByName("192.168.1.7"))).isTrue();
    assertThat(list.allows(InetAddress.getByName("192.168.1.8"))).isFalse();
    assertThat(list.allows(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(list.allows(InetAddress.getByName("fe80::1"))).isFalse();
    assertThat(MemberAllowlist.of(List.of("10.0.0.0/12")).allows(InetAddress.getByName("10.15.255.255"))).isTrue();
    assertThat(MemberAllowlist.of(List.of("10.0.0.0/12")).allows(InetAddress.getByName("10.16.0.0"))).isFalse();
    assertThat(MemberAllowlist.of(List.of("0.0.0.0/0")).allows(InetAddress.getByName("203.0.113.9"))).isTrue();
    assertThat(MemberAllowlist.of(List.of()).allowsAny()).isTrue();
    for (String bad : List.of("kafka.internal", "10.0.0.0/33", "10.0.0.0/x", "fd00::/129")) {
      assertThatThrownBy(() -> MemberAllowlist.of(List.of(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
    }
  }
}
