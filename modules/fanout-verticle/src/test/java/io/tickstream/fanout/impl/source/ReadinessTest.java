package io.tickstream.fanout.impl.source;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.common.config.Config;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.fanout.FanoutFixture;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import io.tickstream.fanout.impl.server.FanoutNode;
import io.tickstream.fanout.impl.server.FanoutServer;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness depends on the snapshot: a server instance whose node has no consumer yet (so no snapshot) answers
 * 503 to {@code /health/ready} and to upgrades, deterministically; once the consumer has rebuilt the snapshot
 * it answers 200 and serves the snapshot.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ReadinessTest {

  @Test
  void readinessIsFalseAndUpgradesAreRefusedUntilTheSnapshotIsBuilt() {
    try (FanoutFixture fixture = FanoutFixture.create("ready", new JsonObject())) {
      fixture.produce("READYUSDT", 1);
      Config config = Config.defaults(FanoutSettings.ALL)
          .with(KafkaSettings.BOOTSTRAP_SERVERS, List.of(KafkaBrokerExtension.bootstrapServers()));
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      NodeMetrics metrics = new NodeMetrics(registry);
      FanoutNode node = FanoutNode.builder(fixture.vertx, FanoutConfig.of(config), metrics)
          .source(ticks -> new TickSource(KafkaSettings.clientProperties(config, "fanout-test"), fixture.topic,
              Duration.ofMillis(100), ticks, metrics))
          .build();
      FanoutServer server = new FanoutServer(node, -1);
      FanoutFixture.await(fixture.vertx.deployVerticle(server));
      int port = server.actualPort();
      int adminPort = FanoutFixture.await(node.adminServer("127.0.0.1", 0, registry, () -> null).start()).actualPort();

      assertThat(node.ready()).isFalse();
      assertThat(FanoutFixture.get(fixture.vertx, adminPort, "/health/live", false).status()).isEqualTo(200);
      assertThat(FanoutFixture.get(fixture.vertx, adminPort, "/health/ready", false).status()).isEqualTo(503);
      assertThat(FanoutFixture.get(fixture.vertx, port, "/ws/readyusdt@bookTicker", true).status()).isEqualTo(503);

      try (TickSource source = node.source()) {
        source.start();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> FanoutFixture.get(fixture.vertx, adminPort, "/health/ready", false).status() == 200);
        assertThat(FanoutFixture.get(fixture.vertx, port, "/ws/readyusdt@bookTicker", true).status()).isEqualTo(101);
      }
    }
  }
}
