package io.tickstream.fanout;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka stopped under a running node and started again. The test has a broker of its own (fixed ports and a kept
 * log directory, so it comes back as the same broker); the shared one stays untouched.
 */
class KafkaOutageTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static EmbeddedKafkaBroker broker(int port, int controllerPort, Path dir) {
    return EmbeddedKafkaBroker.builder().port(port).controllerPort(controllerPort).logDir(dir).build().start();
  }

  private static BookTicker fresh(String symbol, long u) {
    return new BookTicker(u, symbol, "1.00000000", "2.00000000", "1.10000000", "3.00000000", EpochMicros.now());
  }

  @Test
  void clientsStayConnectedReadinessFollowsTheDataAgeAndTicksResumeWhenKafkaIsBack(@TempDir Path dir) throws Exception {
    int port = freePort();
    int controllerPort = freePort();
    EmbeddedKafkaBroker kafka = broker(port, controllerPort, dir);
    EmbeddedKafkaBroker restarted = null;
    try (FanoutFixture node = FanoutFixture.create("outage", new JsonObject().put("fanout.max-data-age", "2s"),
        kafka.bootstrapServers())) {
      node.produce(fresh("OUTUSDT", 1));
      node.deploy();
      TestClient client = node.connect("/ws/outusdt@bookTicker");
      assertThat(client.next().getLong("u")).isEqualTo(1);
      node.produce(fresh("OUTUSDT", 2));
      assertThat(client.next().getLong("u")).isEqualTo(2);
      FanoutFixture.HttpResult ready = node.admin("/health/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(new JsonObject(ready.body()).getLong("maxDataAgeMs")).isEqualTo(2_000);
      assertThat(new JsonObject(ready.body()).getLong("dataAgeMs")).isNotNull();

      kafka.close();
      // Past the bound the node says not ready (a load balancer sends new clients elsewhere), and why.
      await().atMost(WAIT).until(() -> node.admin("/health/ready").status() == 503);
      JsonObject down = new JsonObject(node.admin("/health/ready").body());
      assertThat(down.getLong("dataAgeMs")).isGreaterThan(2_000);
      assertThat(down.getLong("caughtUpAgeMs")).isGreaterThan(2_000);
      assertThat(node.meter(FanoutMetrics.DATA_AGE)).isGreaterThan(2.0);
      assertThat(node.admin("/health/live").status()).isEqualTo(200);
      assertThat(client.isClosed()).as("connected clients stay").isFalse();

      restarted = broker(port, controllerPort, dir);
      // Copies of what the client already has come first: they must stay invisible.
      node.produce(fresh("OUTUSDT", 1));
      node.produce(fresh("OUTUSDT", 2));
      node.produce(fresh("OUTUSDT", 3));
      assertThat(client.next().getLong("u")).as("no restart, nothing older than the client's last tick").isEqualTo(3);
      await().atMost(WAIT).until(() -> node.admin("/health/ready").status() == 200);
      assertThat(node.meter(FanoutMetrics.CONSUMER_RESTARTS)).isZero();
      node.produce(fresh("OUTUSDT", 4));
      assertThat(client.next().getLong("u")).isEqualTo(4);
      assertThat(client.pendingMessages()).isZero();
      client.close();
    } finally {
      kafka.close();
      if (restarted != null) {
        restarted.close();
      }
    }
  }
}
