package io.tickstream.fanout;

import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.cluster.HazelcastCluster;
import io.tickstream.common.config.Config;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two fanout nodes on two clustered Vert.x instances (Hazelcast on loopback) see each other in GET /cluster. */
@ExtendWith(KafkaBrokerExtension.class)
class ClusterStatusTest {

  @Test
  void clusterListsBothFanoutNodesAndDropsOneThatLeaves() {
    int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
    Config cluster = Config.defaults(ClusterSettings.ALL)
        .with(ClusterSettings.NAME, "status-test-" + base)
        .with(ClusterSettings.PORT, base)
        .with(ClusterSettings.MEMBERS, List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1)));
    Vertx first = FanoutFixture.await(HazelcastCluster.vertx(cluster, new VertxOptions()));
    Vertx second = FanoutFixture.await(HazelcastCluster.vertx(cluster.with(ClusterSettings.PORT, base + 1), new VertxOptions()));
    try (FanoutFixture a = FanoutFixture.create("cluster-a", new JsonObject(), first).deploy()) {
      FanoutFixture b = FanoutFixture.create("cluster-b", new JsonObject(), second).deploy();
      try {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          assertThat(fanoutAddresses(a, a.adminPort())).containsExactlyInAnyOrder("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port());
          assertThat(fanoutAddresses(a, b.adminPort())).containsExactlyInAnyOrder("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port());
        });
        JsonObject member = members(a, b.adminPort()).getJsonObject(0);
        assertThat(member.fieldNames()).contains("node", "role", "address", "connections", "subscriptions", "ticksPerSecond");
      } finally {
        b.close();
      }
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(fanoutAddresses(a, a.adminPort())).containsExactly("127.0.0.1:" + a.port()));
    }
  }

  private static JsonArray members(FanoutFixture via, int port) {
    FanoutFixture.HttpResult r = FanoutFixture.get(via.vertx, port, "/cluster", false);
    assertThat(r.status()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonArray("members");
  }

  private static List<String> fanoutAddresses(FanoutFixture via, int port) {
    return members(via, port).stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("role").equals("fanout")).map(m -> m.getString("address")).toList();
  }
}
