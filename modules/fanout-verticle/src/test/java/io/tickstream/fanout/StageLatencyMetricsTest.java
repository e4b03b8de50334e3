package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12: the fanout's two stages, Kafka append to {@code ft} and {@code ft} to the socket flush, are histograms on
 * {@code /metrics} with counts once live ticks flow through a real broker to a real WebSocket client.
 */
@ExtendWith(KafkaBrokerExtension.class)
class StageLatencyMetricsTest {

  @Test
  void appendToFtAndFtToFlushHistogramsCountLiveTicks() throws Exception {
    try (FanoutFixture node = FanoutFixture.create("stages", new JsonObject())) {
      useLogAppendTime(node.topic);
      node.produce("BTCUSDT", 1); // before the node starts: a snapshot tick, in neither histogram
      node.deploy();
      TestClient client = node.connect("/ws/btcusdt@bookTicker");
      assertThat(client.next().getLong("u")).isEqualTo(1);
      assertThat(count(node, "tickstream_fanout_ft_to_flush_seconds_count"))
          .as("the subscribe snapshot is no latency of the node's").isZero();

      node.produceAll("BTCUSDT", 2, 6);
      for (long u = 2; u <= 6; u++) {
        assertThat(client.next().getLong("u")).isEqualTo(u);
      }

      // The flush is recorded just after it returns, on the event loop: the client may read the frame first.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(count(node, "tickstream_fanout_append_to_ft_seconds_count")).isEqualTo(5);
        assertThat(count(node, "tickstream_fanout_ft_to_flush_seconds_count")).isBetween(1.0, 5.0);
      });
      String body = node.admin("/metrics").body();
      assertThat(body).contains("tickstream_fanout_append_to_ft_seconds_bucket",
          "tickstream_fanout_ft_to_flush_seconds_bucket", "tickstream_fanout_append_after_ft_total");
      client.close();
    }
  }

  @Test
  void appendToFtStaysEmptyOnACreateTimeTopic() {
    try (FanoutFixture node = FanoutFixture.create("stages-create-time", new JsonObject())) {
      node.produce("ETHUSDT", 1); // unknown symbols are refused: this one is known from the start
      node.deploy();
      TestClient client = node.connect("/ws/ethusdt@bookTicker");
      assertThat(client.next().getLong("u")).isEqualTo(1);
      node.produce("ETHUSDT", 2);
      assertThat(client.next().getLong("u")).isEqualTo(2);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(count(node, "tickstream_fanout_ft_to_flush_seconds_count")).isEqualTo(1));
      assertThat(count(node, "tickstream_fanout_append_to_ft_seconds_count"))
          .as("a CreateTime record timestamp is the producer's pt, not the append").isZero();
      client.close();
    }
  }

  private static void useLogAppendTime(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()))) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
          new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"), AlterConfigOp.OpType.SET))))
          .all().get(30, TimeUnit.SECONDS);
    }
  }

  /** The value of an untagged Prometheus sample, e.g. a timer's {@code _count}; 0 if absent. */
  static double count(FanoutFixture node, String sample) {
    for (String line : node.admin("/metrics").body().split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    return 0;
  }
}
