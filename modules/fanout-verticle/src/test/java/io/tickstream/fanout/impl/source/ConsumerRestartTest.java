package io.tickstream.fanout.impl.source;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.common.config.Config;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.fanout.FanoutFixture;
import io.tickstream.fanout.FanoutMetrics;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.fanout.TestClient;
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
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The consumer thread failing is not silent: it is restarted, and if restarts keep failing the node gives up. */
@ExtendWith(KafkaBrokerExtension.class)
class ConsumerRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aConsumerKilledByAnErrorIsRestartedAndTicksFlowAgainToAConnectedClient() {
    try (FanoutFixture node = FanoutFixture.create("restart", new JsonObject())) {
      node.produce("CRASHUSDT", 1);
      node.deploy();
      TestClient client = node.connect("/ws/crashusdt@bookTicker");
      assertThat(client.next().getLong("u")).isEqualTo(1);

      node.node().source().injectFault(new AssertionError("fault injected by the test"));
      await().atMost(WAIT).until(() -> node.meter(FanoutMetrics.CONSUMER_RESTARTS) == 1);

      node.produce("CRASHUSDT", 2);
      node.produce("CRASHUSDT", 3);
      assertThat(client.next().getLong("u")).isEqualTo(2);
      assertThat(client.next().getLong("u")).isEqualTo(3);
      assertThat(client.isClosed()).isFalse();
      assertThat(node.verticle.ready()).isTrue();
      assertThat(node.admin("/health/live").status()).isEqualTo(200);
      assertThat(node.meter(FanoutMetrics.CONSUMER_RESTARTS)).isEqualTo(1);
      client.close();
    }
  }

  @Test
  void aConsumerThatKeepsFailingMakesTheNodeGiveUpAndLivenessFail() {
    try (FanoutFixture fixture = FanoutFixture.create("give-up", new JsonObject())) {
      fixture.produce("GIVEUPUSDT", 1);
      Config config = Config.defaults(FanoutSettings.ALL)
          .with(KafkaSettings.BOOTSTRAP_SERVERS, List.of(KafkaBrokerExtension.bootstrapServers()))
          .with(FanoutSettings.CONSUMER_MAX_FAILURES, 1);
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
      AtomicBoolean gaveUp = new AtomicBoolean();
      try (TickSource source = node.source()) {
        source.onGiveUp(() -> gaveUp.set(true)); // the verticle's exits the process
        source.start();
        await().atMost(WAIT).until(node::ready);
        assertThat(FanoutFixture.get(fixture.vertx, adminPort, "/health/live", false).status()).isEqualTo(200);

        source.injectFault(new AssertionError("fault injected by the test"));
        await().atMost(WAIT).untilTrue(gaveUp);
        assertThat(FanoutFixture.get(fixture.vertx, adminPort, "/health/live", false).status()).isEqualTo(503);
        assertThat(FanoutFixture.get(fixture.vertx, adminPort, "/health/ready", false).status()).isEqualTo(503);
        assertThat(metrics.consumerRestarts.count()).isZero();
      }
    }
  }
}
