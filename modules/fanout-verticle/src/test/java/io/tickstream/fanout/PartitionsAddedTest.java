package io.tickstream.fanout;

import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Partitions added to the topic while a node runs are read, from their beginning, without a restart. */
@ExtendWith(KafkaBrokerExtension.class)
class PartitionsAddedTest {

  @Test
  void aPartitionAddedWhileRunningIsReadFromItsBeginningWithinOneMetadataRefresh() throws Exception {
    try (FanoutFixture node = FanoutFixture.create("partitions",
        new JsonObject().put("fanout.partition-check-interval", "1s"))) {
      node.produce("SEEDUSDT", 1);
      node.deploy();
      assertThat(node.meter(FanoutMetrics.PARTITIONS)).isEqualTo(3);
      TestClient client = node.connect("/stream?streams=!bookTicker");
      assertThat(client.next().getJsonObject("data").getString("s")).isEqualTo("SEEDUSDT");

      try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()))) {
        admin.createPartitions(Map.of(node.topic, NewPartitions.increaseTo(5))).all().get(30, TimeUnit.SECONDS);
      }
      // Written to the new partition before the node can know it: it must be read from the beginning.
      node.producer.send(new ProducerRecord<>(node.topic, 4, "NEWPUSDT",
          new BookTickerEncoder().recordValue(FanoutFixture.tick("NEWPUSDT", 1)))).get(30, TimeUnit.SECONDS);

      JsonObject tick = client.next().getJsonObject("data");
      assertThat(tick.getString("s")).isEqualTo("NEWPUSDT");
      assertThat(tick.getLong("u")).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> node.meter(FanoutMetrics.PARTITIONS) == 5);
      node.produce("NEWPUSDT", 2);
      assertThat(client.next().getJsonObject("data").getLong("u")).isEqualTo(2);
      assertThat(node.verticle.ready()).isTrue();
      client.close();
    }
  }
}
