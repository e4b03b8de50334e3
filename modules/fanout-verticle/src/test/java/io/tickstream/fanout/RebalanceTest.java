package io.tickstream.fanout;

import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.cluster.HazelcastCluster;
import io.tickstream.common.config.Config;
import io.tickstream.fanout.impl.server.RebalancePolicy;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11: three fanout nodes in one Hazelcast cluster (three clustered Vert.x instances on loopback) read one topic;
 * 60 reconnecting clients are on A and B only, then C joins. A and B shed clients until every node is within the
 * threshold of the mean, then stop; no client misses a tick beyond the conflation contract.
 */
@ExtendWith(KafkaBrokerExtension.class)
class RebalanceTest {

  private static final int CLIENTS = 60;
  private static final String SYMBOL = "REBALUSDT";

  /** Small knobs, so the test takes seconds: up to a quarter of a node's clients per 1 s round. */
  private static final JsonObject KNOBS = new JsonObject()
      .put("fanout.rebalance.interval", "1s")
      .put("fanout.rebalance.tolerance", 0.1)
      .put("fanout.rebalance.min-excess", 3)
      .put("fanout.rebalance.max-share", 0.25)
      .put("fanout.rebalance.damping", 0.5)
      .put("fanout.rebalance.jitter", "300ms")
      .put("fanout.drain-window", "200ms");

  @Test
  void aJoiningNodeGetsItsShareAndNoClientMissesATick() throws Exception {
    int base = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 40_000);
    Config cluster = Config.defaults(ClusterSettings.ALL)
        .with(ClusterSettings.NAME, "rebalance-test-" + base)
        .with(ClusterSettings.PORT, base)
        .with(ClusterSettings.MEMBERS, List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 2)));
    RebalancePolicy policy = RebalancePolicy.of(Config.fromJson(FanoutSettings.ALL, KNOBS, java.util.Map.of()));
    Vertx clients = Vertx.vertx();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    List<FanoutFixture> nodes = new ArrayList<>();
    try {
      FanoutFixture a = FanoutFixture.create("rebalance-a", KNOBS, clusteredVertx(cluster, base));
      nodes.add(a);
      JsonObject sameTopic = KNOBS.copy().put("topic.name", a.topic);
      FanoutFixture b = FanoutFixture.create("rebalance-b", sameTopic, clusteredVertx(cluster, base + 1));
      nodes.add(b);
      FanoutFixture c = FanoutFixture.create("rebalance-c", sameTopic, clusteredVertx(cluster, base + 2));
      nodes.add(c);
      a.produce(SYMBOL, 1);
      a.deploy();
      b.deploy();

      // Ticks flow all along: 50 per second, each u one above the last.
      AtomicLong u = new AtomicLong(1);
      ticker.scheduleAtFixedRate(() -> a.producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(a.topic,
              SYMBOL, new io.tickstream.common.tick.BookTickerEncoder().recordValue(FanoutFixture.tick(SYMBOL, u.incrementAndGet())))),
          0, 20, TimeUnit.MILLISECONDS);

      LeastConnectionsBalancer balancer = new LeastConnectionsBalancer(clients, List.of(a.adminPort(), b.adminPort()));
      WebSocketClient ws = clients.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1_000));
      List<ReconnectingClient> all = new ArrayList<>();
      List<Future<Void>> opened = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        ReconnectingClient client = new ReconnectingClient(clients, ws, balancer, "/ws/" + SYMBOL.toLowerCase() + "@bookTicker");
        all.add(client);
        opened.add(client.connect(i % 2 == 0 ? a.port() : b.port()));
      }
      FanoutFixture.await(Future.all(opened));
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(connections(a)).isEqualTo(CLIENTS / 2);
        assertThat(connections(b)).isEqualTo(CLIENTS / 2);
        assertThat(all).allMatch(cl -> cl.lastU > 0, "every client has its snapshot");
      });
      assertThat(restarts(all)).as("A and B are even: nobody is shed").isZero();

      c.deploy();
      // Even for a whole second: a round decided just before is over (its 1012s come within 300 ms).
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertEven(policy, all, a, b, c));
      long restartsWhenEven = restarts(all);
      // Shedding has stopped: for several rounds, no more 1012s and the spread stays even.
      await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
        assertThat(restarts(all)).isEqualTo(restartsWhenEven);
        assertEven(policy, all, a, b, c);
      });
      assertThat(meter(a) + meter(b) + meter(c)).as("every client shed got its 1012").isEqualTo(restartsWhenEven);
      assertThat(meter(c)).as("the new node sheds nobody").isZero();
      assertThat(restartsWhenEven).as("at least C's share moved").isGreaterThanOrEqualTo(connections(c));

      // Every client, whatever it went through, ends on the newest tick.
      ticker.shutdown();
      assertThat(ticker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      a.producer.flush();
      long last = u.incrementAndGet();
      a.produce(SYMBOL, last);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(all).allSatisfy(cl -> assertThat(cl.lastU).isEqualTo(last)));
      assertThat(all).allSatisfy(cl -> assertThat(cl.violations).isEmpty());
      System.out.printf("RebalanceTest: %d clients moved, %d stale ticks ignored after reconnects, at most %d behind%n",
          restartsWhenEven, all.stream().mapToInt(cl -> cl.stale.get()).sum(),
          all.stream().mapToLong(cl -> cl.maxBehind.get()).max().orElse(0));
      all.forEach(ReconnectingClient::stop);
    } finally {
      ticker.shutdownNow();
      FanoutFixture.await(clients.close());
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    }
  }

  /**
   * A node well above the mean sheds nobody while another fanout node reports itself not ready, reports no readiness
   * at all (an older version), or drains; once that node is ready, it sheds, each client getting serverShutdown and
   * then 1012. The other node is a status published on the event bus, as a real node's would be.
   */
  @Test
  void noNodeShedsWhileAnotherIsStartingDrainingOrOfUnknownReadiness() {
    try (FanoutFixture a = FanoutFixture.create("rebalance-gate", KNOBS)) {
      a.produce(SYMBOL, 1);
      a.deploy();
      List<TestClient> held = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        held.add(a.connect("/ws/" + SYMBOL.toLowerCase() + "@bookTicker"));
      }
      held.forEach(TestClient::next);
      JsonObject[] other = {new JsonObject().put("ready", false).put("draining", false)};
      long publisher = a.vertx.setPeriodic(1, 200, id -> a.vertx.eventBus().publish(
          io.tickstream.common.cluster.ClusterStatus.ADDRESS, new JsonObject().put("node", "other").put("role", "fanout")
              .put("address", "127.0.0.1:1").put("at", System.currentTimeMillis()).put("connections", 0)
              .mergeIn(other[0])));
      try {
        // 12 here, 0 there: a mean of 6, so the node would shed at once if the other were ready.
        for (JsonObject state : List.of(new JsonObject().put("ready", false).put("draining", false),
            new JsonObject(), new JsonObject().put("ready", true).put("draining", true))) {
          other[0] = state;
          await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
              assertThat(meter(a)).as("shed while the other node is %s", state).isZero());
        }
        other[0] = new JsonObject().put("ready", true).put("draining", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> meter(a) > 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> held.stream().anyMatch(t -> t.closeStatus != null));
        for (TestClient t : held) {
          if (t.closeStatus != null) {
            assertThat(t.closeStatus).isEqualTo((short) 1012);
            JsonObject last = null;
            while (t.pendingMessages() > 0) {
              last = t.next();
            }
            assertThat(last).as("serverShutdown is the last message before the 1012").isNotNull();
            assertThat(last.getString("e")).isEqualTo("serverShutdown");
          }
        }
      } finally {
        a.vertx.cancelTimer(publisher);
      }
    }
  }

  private static Vertx clusteredVertx(Config cluster, int port) {
    return FanoutFixture.await(HazelcastCluster.vertx(cluster.with(ClusterSettings.PORT, port), new VertxOptions()));
  }

  /** Every client connected, and no node well above the mean by the rebalancing's own rule. */
  private static void assertEven(RebalancePolicy policy, List<ReconnectingClient> all, FanoutFixture... nodes) {
    assertThat(all).allMatch(ReconnectingClient::connected, "every client connected");
    long total = 0;
    for (FanoutFixture n : nodes) {
      total += connections(n);
    }
    assertThat(total).isEqualTo(CLIENTS);
    double mean = (double) total / nodes.length;
    for (FanoutFixture n : nodes) {
      assertThat(policy.above(connections(n), mean)).as("node at %d: %d connections, mean %.1f", n.port(),
          connections(n), mean).isFalse();
    }
  }

  private static long connections(FanoutFixture node) {
    return (long) node.meter(FanoutMetrics.CONNECTIONS);
  }

  private static long meter(FanoutFixture node) {
    return (long) node.meter(FanoutMetrics.REBALANCED);
  }

  private static long restarts(List<ReconnectingClient> all) {
    return all.stream().mapToLong(cl -> cl.serviceRestarts.get()).sum();
  }
}
