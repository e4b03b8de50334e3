package io.tickstream.common.kafka;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The {@code book-tickers} topic: its settings, and {@link #ensure} which creates it if missing and
 * checks an existing one.
 *
 * <p>Why compaction by default: the key is the symbol, so a compacted topic holds at least the latest tick
 * of every symbol however long ago it ticked. A fanout node that starts rebuilds every symbol's snapshot by
 * reading the compacted log instead of a day of history. Small segments keep the uncompacted tail short.
 */
public final class BookTickerTopic {

  private static final Logger log = LoggerFactory.getLogger(BookTickerTopic.class);

  public static final Setting<String> NAME = Setting.ofString("topic.name", "book-tickers",
      "Kafka topic the ingest writes and the fanout reads.");
  public static final Setting<Integer> PARTITIONS = Setting.ofInt("topic.partitions", 12, 1, 10_000,
      "Partitions when the topic is created. Ticks are keyed by symbol, so more partitions spread symbols.");
  public static final Setting<Integer> REPLICATION_FACTOR = Setting.ofInt("topic.replication-factor", -1, -1, 32,
      "Replication factor when the topic is created; -1 takes the broker's default.replication.factor.");
  public static final Setting<Integer> MIN_INSYNC_REPLICAS = Setting.ofInt("topic.min-insync-replicas", -1, -1, 32,
      "min.insync.replicas when the topic is created: with acks=all a write succeeds only once this many replicas have it; -1 takes the broker's default.");
  public static final Setting<Boolean> COMPACTION = Setting.ofBoolean("topic.compaction", true,
      "cleanup.policy=compact, so the latest tick of every symbol survives for snapshot rebuilds.");
  public static final Setting<Long> SEGMENT_BYTES = Setting.ofLong("topic.segment-bytes", 64L << 20, 1L << 20, 1L << 30,
      "segment.bytes: the active segment is never compacted, so smaller segments shorten rebuilds.");
  public static final Setting<Duration> SEGMENT_TIME = Setting.ofDuration("topic.segment-time", Duration.ofMinutes(10),
      "segment.ms: roll segments at least this often so quiet partitions get compacted too.");
  public static final Setting<List<String>> EXTRA_CONFIGS = Setting.ofList("topic.configs", List.of(),
      "Further topic configs when created, as key=value pairs, e.g. delete.retention.ms=86400000.");
  public static final Setting<Boolean> CREATE = Setting.ofBoolean("topic.create", true,
      "Create the topic at start-up if it is missing (otherwise a missing topic is an error).");

  public static final List<Setting<?>> ALL = List.of(NAME, PARTITIONS, REPLICATION_FACTOR, MIN_INSYNC_REPLICAS, COMPACTION,
      SEGMENT_BYTES, SEGMENT_TIME, EXTRA_CONFIGS, CREATE);

  private BookTickerTopic() {
  }

  /** The topic configs this configuration asks for when creating the topic. */
  public static Map<String, String> topicConfigs(Config config) {
    Map<String, String> configs = new LinkedHashMap<>();
    configs.put(TopicConfig.CLEANUP_POLICY_CONFIG,
        config.get(COMPACTION) ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
    configs.put(TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(config.get(SEGMENT_BYTES)));
    configs.put(TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(config.get(SEGMENT_TIME).toMillis()));
    for (String pair : config.get(EXTRA_CONFIGS)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("topic.configs entry '" + pair + "' is not key=value");
      }
      configs.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    int minInsync = config.get(MIN_INSYNC_REPLICAS);
    if (minInsync > 0) {
      // One place for the value: two that disagree would leave the operator guessing which one the topic got.
      String extra = configs.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
      if (extra != null && !extra.equals(String.valueOf(minInsync))) {
        throw new IllegalArgumentException("min.insync.replicas is " + minInsync + " in topic.min-insync-replicas but "
            + extra + " in topic.configs");
      }
      int rf = config.get(REPLICATION_FACTOR);
      if (rf > 0 && minInsync > rf) {
        // Kafka accepts such a topic, and then refuses every acks=all write with NotEnoughReplicas.
        throw new IllegalArgumentException("topic.min-insync-replicas " + minInsync
            + " is above topic.replication-factor " + rf + ": no acks=all write could ever succeed");
      }
      configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(minInsync));
    }
    return configs;
  }

  /**
   * Creates the topic if it is missing (and {@link #CREATE} allows), otherwise compares partitions,
   * replication factor and configs (min.insync.replicas among them) with this configuration and logs a warning
   * per difference. Fails at once if the topic settings contradict each other.
   *
   * <p>Runs on the admin client's own thread and completes on the caller's context, so it never blocks
   * an event loop. The admin client is the caller's and stays open.
   */
  public static Future<TopicCheck> ensure(Vertx vertx, Admin admin, Config config) {
    Context context = vertx.getOrCreateContext();
    String topic = config.get(NAME);
    try {
      topicConfigs(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    CompletableFuture<TopicCheck> result = describe(admin, topic)
        .thenCompose(existing -> existing.isPresent()
            ? verify(admin, config, existing.get(), false)
            : create(admin, config));
    return Future.fromCompletionStage(result, context).onSuccess(check -> {
      if (check.created()) {
        log.info("Created topic {} with {} partitions", topic, check.partitions());
      }
      for (String m : check.mismatches()) {
        log.warn("Topic {} differs from configuration: {}", topic, m);
      }
    });
  }

  private static CompletableFuture<Optional<TopicDescription>> describe(Admin admin, String topic) {
    return admin.listTopics().names().toCompletionStage().toCompletableFuture().thenCompose(names -> {
      if (!names.contains(topic)) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      return admin.describeTopics(Set.of(topic)).allTopicNames().toCompletionStage().toCompletableFuture()
          .thenApply(m -> Optional.of(m.get(topic)));
    });
  }

  private static CompletableFuture<TopicCheck> create(Admin admin, Config config) {
    String topic = config.get(NAME);
    if (!config.get(CREATE)) {
      return CompletableFuture.failedFuture(new IllegalStateException("topic " + topic
          + " does not exist and topic.create is false"));
    }
    int rf = config.get(REPLICATION_FACTOR);
    NewTopic newTopic = new NewTopic(topic, Optional.of(config.get(PARTITIONS)),
        rf < 0 ? Optional.empty() : Optional.of((short) rf)).configs(topicConfigs(config));
    return admin.createTopics(List.of(newTopic)).all().toCompletionStage().toCompletableFuture()
        .thenCompose(ignored -> describeOnceVisible(admin, topic, DESCRIBE_ATTEMPTS))
        .thenCompose(created -> verify(admin, config, created, true))
        .exceptionallyCompose(e -> {
          // Another node created it between our describe and create: check theirs instead.
          if (unwrap(e) instanceof TopicExistsException) {
            return describeOnceVisible(admin, topic, DESCRIBE_ATTEMPTS).thenCompose(d -> verify(admin, config, d, false));
          }
          return CompletableFuture.failedFuture(unwrap(e));
        });
  }

  /** Attempts, 100 ms apart, to see a topic that was just created: metadata reaches the listing a moment later. */
  static final int DESCRIBE_ATTEMPTS = 50;

  private static CompletableFuture<TopicDescription> describeOnceVisible(Admin admin, String topic, int attemptsLeft) {
    return describe(admin, topic).thenCompose(d -> {
      if (d.isPresent()) {
        return CompletableFuture.completedFuture(d.get());
      }
      if (attemptsLeft <= 1) {
        return CompletableFuture.failedFuture(new IllegalStateException("topic " + topic + " was created but never became visible"));
      }
      return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
          .thenCompose(x -> describeOnceVisible(admin, topic, attemptsLeft - 1));
    });
  }

  private static CompletableFuture<TopicCheck> verify(Admin admin, Config config, TopicDescription d, boolean created) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, d.name());
    return admin.describeConfigs(List.of(resource)).all().toCompletionStage().toCompletableFuture().thenApply(all -> {
      List<String> mismatches = new ArrayList<>();
      int partitions = d.partitions().size();
      if (partitions != config.get(PARTITIONS)) {
        mismatches.add("partitions is " + partitions + ", configured " + config.get(PARTITIONS));
      }
      int rf = config.get(REPLICATION_FACTOR);
      int actualRf = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
      if (rf >= 0 && actualRf != rf) {
        mismatches.add("replication factor is " + actualRf + ", configured " + rf);
      }
      org.apache.kafka.clients.admin.Config actual = all.get(resource);
      for (Map.Entry<String, String> wanted : topicConfigs(config).entrySet()) {
        var entry = actual.get(wanted.getKey());
        String value = entry == null ? null : entry.value();
        if (!wanted.getValue().equals(value)) {
          mismatches.add(wanted.getKey() + " is " + value + ", configured " + wanted.getValue());
        }
      }
      return new TopicCheck(d.name(), created, partitions, List.copyOf(mismatches));
    });
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }
}
