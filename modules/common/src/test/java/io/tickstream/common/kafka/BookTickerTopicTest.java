package io.tickstream.common.kafka;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.kafka.broker.junit.BootstrapServers;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link BookTickerTopic} against a real KRaft broker. */
@ExtendWith({KafkaBrokerExtension.class, VertxExtension.class})
class BookTickerTopicTest {

  private static Admin admin;
  private static String servers;

  @BeforeAll
  static void connect(@BootstrapServers String bootstrapServers) {
    servers = bootstrapServers;
    admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
  }

  @AfterAll
  static void disconnect() {
    admin.close();
  }

  private static Config config(String topic, int partitions) {
    return Config.defaults(all()).with(BookTickerTopic.NAME, topic).with(BookTickerTopic.PARTITIONS, partitions)
        .with(KafkaSettings.BOOTSTRAP_SERVERS, List.of(servers));
  }

  private static List<Setting<?>> all() {
    List<Setting<?>> all = new ArrayList<>(BookTickerTopic.ALL);
    all.addAll(KafkaSettings.ALL);
    return all;
  }

  private static String topicFor(TestInfo info) {
    return "t-" + info.getTestMethod().orElseThrow().getName();
  }

  @Test
  void createsMissingTopicCompactedWithConfiguredPartitions(Vertx vertx, TestInfo info) throws Exception {
    String topic = topicFor(info);
    TopicCheck check = BookTickerTopic.ensure(vertx, admin, config(topic, 6)).await(30, TimeUnit.SECONDS);

    assertThat(check.created()).isTrue();
    assertThat(check.partitions()).isEqualTo(6);
    assertThat(check.mismatches()).isEmpty();
    var configs = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic))).all().get().values().iterator().next();
    assertThat(configs.get("cleanup.policy").value()).isEqualTo("compact");
    assertThat(configs.get("segment.bytes").value()).isEqualTo(String.valueOf(64 << 20));
  }

  @Test
  void existingMatchingTopicIsLeftAlone(Vertx vertx, TestInfo info) throws Exception {
    String topic = topicFor(info);
    BookTickerTopic.ensure(vertx, admin, config(topic, 3)).await(30, TimeUnit.SECONDS);
    TopicCheck again = BookTickerTopic.ensure(vertx, admin, config(topic, 3)).await(30, TimeUnit.SECONDS);

    assertThat(again.created()).isFalse();
    assertThat(again.matches()).isTrue();
  }

  @Test
  void existingTopicWithOtherSettingsIsReportedNotChanged(Vertx vertx, TestInfo info) throws Exception {
    String topic = topicFor(info);
    admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(Map.of("cleanup.policy", "delete")))).all().get();

    TopicCheck check = BookTickerTopic.ensure(vertx, admin, config(topic, 4)).await(30, TimeUnit.SECONDS);

    assertThat(check.created()).isFalse();
    assertThat(check.partitions()).isEqualTo(2);
    assertThat(check.mismatches()).anySatisfy(m -> assertThat(m).isEqualTo("partitions is 2, configured 4"))
        .anySatisfy(m -> assertThat(m).isEqualTo("cleanup.policy is delete, configured compact"));
    assertThat(admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(2);
  }

  @Test
  void minInsyncReplicasIsAppliedWhenTheTopicIsCreated(Vertx vertx, TestInfo info) throws Exception {
    String topic = topicFor(info);
    Config config = config(topic, 2).with(BookTickerTopic.REPLICATION_FACTOR, 1)
        .with(BookTickerTopic.MIN_INSYNC_REPLICAS, 1);

    TopicCheck check = BookTickerTopic.ensure(vertx, admin, config).await(30, TimeUnit.SECONDS);

    assertThat(check.created()).isTrue();
    assertThat(check.mismatches()).isEmpty();
    assertThat(topicConfig(topic, "min.insync.replicas").isDefault()).isFalse();
    assertThat(topicConfig(topic, "min.insync.replicas").value()).isEqualTo("1");
  }

  @Test
  void existingTopicWithOtherMinInsyncReplicasIsReportedNotChanged(Vertx vertx, TestInfo info) throws Exception {
    String topic = topicFor(info);
    // A single broker: only RF 1 exists, so the difference is made the other way round (the topic says 2).
    admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(Map.of("cleanup.policy", "compact",
        "segment.bytes", String.valueOf(64 << 20), "segment.ms", "600000", "min.insync.replicas", "2")))).all().get();

    TopicCheck check = BookTickerTopic.ensure(vertx, admin, config(topic, 2).with(BookTickerTopic.MIN_INSYNC_REPLICAS, 1))
        .await(30, TimeUnit.SECONDS);

    assertThat(check.created()).isFalse();
    assertThat(check.mismatches()).containsExactly("min.insync.replicas is 2, configured 1");
    assertThat(topicConfig(topic, "min.insync.replicas").value()).isEqualTo("2");
  }

  @Test
  void minInsyncReplicasAboveTheReplicationFactorIsRefusedBeforeCreating(Vertx vertx, TestInfo info) throws Exception {
    String topic = topicFor(info);
    Config config = config(topic, 1).with(BookTickerTopic.REPLICATION_FACTOR, 1).with(BookTickerTopic.MIN_INSYNC_REPLICAS, 2);

    var future = BookTickerTopic.ensure(vertx, admin, config);
    await().atMost(Duration.ofSeconds(30)).until(future::isComplete);

    assertThat(future.failed()).isTrue();
    assertThat(future.cause()).hasMessageContaining("above topic.replication-factor 1");
    assertThat(admin.listTopics().names().get()).doesNotContain(topic);
  }

  @Test
  void minInsyncReplicasGivenTwiceDifferentlyIsRefused(Vertx vertx, TestInfo info) {
    Config config = config(topicFor(info), 1).with(BookTickerTopic.MIN_INSYNC_REPLICAS, 1)
        .with(BookTickerTopic.EXTRA_CONFIGS, List.of("min.insync.replicas=2"));

    var future = BookTickerTopic.ensure(vertx, admin, config);
    await().atMost(Duration.ofSeconds(30)).until(future::isComplete);

    assertThat(future.failed()).isTrue();
    assertThat(future.cause()).hasMessageContaining("topic.min-insync-replicas");
  }

  private static org.apache.kafka.clients.admin.ConfigEntry topicConfig(String topic, String key) throws Exception {
    var resource = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get().get(resource).get(key);
  }

  @Test
  void missingTopicIsAnErrorWhenCreationIsOff(Vertx vertx, TestInfo info) {
    Config config = config(topicFor(info), 1).with(BookTickerTopic.CREATE, false);
    var future = BookTickerTopic.ensure(vertx, admin, config);
    await().atMost(Duration.ofSeconds(30)).until(future::isComplete);
    assertThat(future.failed()).isTrue();
    assertThat(future.cause()).hasMessageContaining("does not exist and topic.create is false");
  }

  @Test
  void replicationFactorBeyondTheClusterFailsClearly(Vertx vertx, TestInfo info) {
    Config config = config(topicFor(info), 1).with(BookTickerTopic.REPLICATION_FACTOR, 3);
    var future = BookTickerTopic.ensure(vertx, admin, config);
    await().atMost(Duration.ofSeconds(30)).until(future::isComplete);
    assertThat(future.failed()).isTrue();
    assertThat(future.cause()).hasMessageContaining("replication factor");
  }

  @Test
  void ticksKeyedBySymbolRoundTripThroughEveryPartition(Vertx vertx, TestInfo info) throws Exception {
    String topic = topicFor(info);
    int partitions = 4;
    BookTickerTopic.ensure(vertx, admin, config(topic, partitions)).await(30, TimeUnit.SECONDS);
    BookTickerEncoder encoder = new BookTickerEncoder();
    Map<String, BookTicker> sent = new HashMap<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", servers),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < 200; i++) {
        BookTicker tick = new BookTicker(1000 + i, "SYM" + i + "USDT", i + ".10000000", "1.00000000",
            i + ".20000000", "2.00000000", 1_764_180_000_000_000L + i);
        sent.put(tick.symbol(), tick);
        producer.send(new ProducerRecord<>(topic, null, tick.receiveTimeMicros() / 1000, tick.symbol(), encoder.recordValue(tick)));
      }
      producer.flush();
    }

    Map<String, BookTicker> received = new HashMap<>();
    Set<Integer> partitionsSeen = new HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", servers),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          BookTicker tick = BookTickerDecoder.decode(r.value());
          assertThat(r.key()).isEqualTo(tick.symbol());
          assertThat(r.timestamp()).isEqualTo(tick.receiveTimeMicros() / 1000);
          received.put(r.key(), tick);
          partitionsSeen.add(r.partition());
        }
        return received.size() == sent.size();
      });
    }
    assertThat(received).isEqualTo(sent);
    assertThat(partitionsSeen).hasSize(partitions);
  }
}
