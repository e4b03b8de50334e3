package io.tickstream.common.cluster;

import io.tickstream.common.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Statuses travel over the clustered event bus; a node that leaves disappears when Hazelcast says so. */
class ClusterStatusTest {

  /** So long that only the membership event, never staleness, can remove a node within the test. */
  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void aNodeThatLeavesTheClusterIsDroppedAtOnceNotAfterStaleness() throws Exception {
    int base = ThreadLocalRandom.current().nextInt(50_000, 60_000);
    Config cluster = Config.defaults(ClusterSettings.ALL)
        .with(ClusterSettings.NAME, "cluster-status-" + base)
        .with(ClusterSettings.PORT, base)
        .with(ClusterSettings.MEMBERS, List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1)));
    Vertx first = HazelcastCluster.vertx(cluster, new VertxOptions()).await(60, TimeUnit.SECONDS);
    Vertx second = HazelcastCluster.vertx(cluster.with(ClusterSettings.PORT, base + 1), new VertxOptions())
        .await(60, TimeUnit.SECONDS);
    try {
      ClusterStatus a = start(first, "fanout", "127.0.0.1:1");
      ClusterStatus b = start(second, "ingest", "127.0.0.1:2");
      assertThat(a.nodeId()).isNotEqualTo(b.nodeId());
      // The timer publishes once an hour: publish by hand until each has seen the other (subscriptions propagate
      // through the cluster asynchronously, so an early status may reach no one).
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        first.runOnContext(v -> a.publishNow());
        second.runOnContext(v -> b.publishNow());
        assertThat(b.nodes()).contains(a.nodeId());
        assertThat(a.nodes()).containsExactlyInAnyOrder(a.nodeId(), b.nodeId());
        JsonObject ingest = a.members().getJsonArray("members").stream().map(JsonObject.class::cast)
            .filter(m -> m.getString("role").equals("ingest")).findFirst().orElseThrow();
        assertThat(ingest.getString("address")).isEqualTo("127.0.0.1:2");
        assertThat(ingest.getInteger("symbols")).isEqualTo(7);
      });
      second.close().await(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(a.nodes()).containsExactly(a.nodeId()));
    } finally {
      first.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Starts a status on an event loop of {@code vertx}, as a verticle would. */
  private static ClusterStatus start(Vertx vertx, String role, String address) throws Exception {
    CompletableFuture<ClusterStatus> started = new CompletableFuture<>();
    vertx.runOnContext(v -> started.complete(ClusterStatus.start(vertx, role, address, HOUR,
        () -> new JsonObject().put("symbols", 7))));
    return Future.fromCompletionStage(started).await(10, TimeUnit.SECONDS);
  }
}
