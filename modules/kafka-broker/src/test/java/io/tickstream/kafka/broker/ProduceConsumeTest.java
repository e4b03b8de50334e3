package io.tickstream.kafka.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.tickstream.kafka.broker.junit.BootstrapServers;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Round trip through the shared broker: every record written to every partition is read back, in order. */
@ExtendWith(KafkaBrokerExtension.class)
class ProduceConsumeTest {

  private static final int PARTITIONS = 3;
  private static final int RECORDS_PER_PARTITION = 20;
  private static final long TIMEOUT_SECONDS = 30;
  private static final Duration POLL = Duration.ofMillis(100);

  @Test
  void everyRecordOfEveryPartitionIsReadBack(@BootstrapServers String bootstrapServers) throws Exception {
    BrokersSeen.recordAndAssertShared(bootstrapServers);
    String topic = "ticks-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    Map<Integer, List<String>> sent = new TreeMap<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int partition = 0; partition < PARTITIONS; partition++) {
        for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
          String value = "p" + partition + "-" + i;
          sent.computeIfAbsent(partition, p -> new ArrayList<>()).add(value);
          acks.add(producer.send(new ProducerRecord<>(topic, partition, "BTCUSDT", value)));
        }
      }
      for (Future<RecordMetadata> ack : acks) {
        RecordMetadata metadata = ack.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(metadata.topic()).isEqualTo(topic);
      }
    }

    Map<Integer, List<String>> received = new TreeMap<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
          .mapToObj(partition -> new TopicPartition(topic, partition))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // The consumer is single-threaded: poll it on the test thread, not on Awaitility's.
      await().atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).pollInSameThread().pollDelay(Duration.ZERO)
          .untilAsserted(() -> {
            for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
              received.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
            }
            assertThat(received).isEqualTo(sent);
          });
    }
    assertThat(received).hasSize(PARTITIONS);
  }
}
