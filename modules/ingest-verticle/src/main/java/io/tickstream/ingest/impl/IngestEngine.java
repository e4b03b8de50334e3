package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.common.admin.AdminServer;
import io.tickstream.common.admin.AdminSettings;
import io.tickstream.common.admin.Health;
import io.tickstream.common.config.Config;
import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.common.stream.InvalidStreamNameException;
import io.tickstream.common.stream.StreamName;
import io.tickstream.ingest.IngestMetrics;
import io.tickstream.ingest.IngestSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.micrometer.backends.BackendRegistries;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ingest's coordinator: topic, producer, symbol discovery and refresh, admin server. Which chunks this node
 * runs, and how they move between ingest nodes, is {@link ChunkOwnership}'s job.
 *
 * <p>Built whole by {@link #create}: every part (clients, producer, discovery, ownership, meters) is final and made
 * there, so a bad setting fails before anything connects and nothing depends on the order {@link #start} fills
 * fields in. {@code start} only produces what needs the network: the topic check, the admin server and the cluster
 * status (which names the admin server's port).
 *
 * <p>Threading: create, start and stop on the ingest verticle's context; chunks run on their own.
 */
public final class IngestEngine {

  private static final Logger log = LoggerFactory.getLogger(IngestEngine.class);

  private final Vertx vertx;
  private final Config config;
  private final MeterRegistry registry;
  private final io.tickstream.common.metrics.JvmMeters jvmMeters;
  private final TickRecorder recorder;
  private final Backoff discoveryBackoff;
  private final HttpClient http;
  private final WebSocketClient ws;
  private final SymbolDiscovery discovery;
  private final Admin kafkaAdmin;
  private final KafkaProducer<String, byte[]> producer;
  private final ChunkOwnership ownership;
  /** The latest chunks formed from the symbol list; on the engine's context. */
  private ChunkLayout layout;
  /** What {@link #start} produces: set once the admin server listens, and once the status runs. */
  private volatile AdminServer admin;
  private volatile io.tickstream.common.cluster.ClusterStatus clusterStatus;
  private volatile boolean discovered;
  private volatile boolean stopping;
  private long refreshTimer = -1;

  /**
   * An engine for {@code config}, its meters in {@code registry} (Vert.x Micrometer's, or one of its own when null).
   *
   * @throws IllegalArgumentException for a setting that cannot work (the exchange URL, {@code ingest.kafka.properties})
   * @throws IOException if {@code ingest.record-file} cannot be opened
   */
  public static IngestEngine create(Vertx vertx, Config config, MeterRegistry registry) throws IOException {
    MeterRegistry r = registry != null ? registry : BackendRegistries.getDefaultNow();
    r = r != null ? r : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ExchangeEndpoint.parse(config.get(IngestSettings.WS_URL));
    Map<String, String> producerProps = producerProperties(config);
    TickRecorder recorder = config.get(IngestSettings.RECORD_FILE) == null ? null
        : new TickRecorder(Path.of(config.get(IngestSettings.RECORD_FILE)), r);
    return new IngestEngine(vertx, config, r, producerProps, recorder);
  }

  private IngestEngine(Vertx vertx, Config config, MeterRegistry registry, Map<String, String> producerProps,
                       TickRecorder recorder) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
    this.recorder = recorder;
    // --print-config shows the same before anything starts; at INFO it buried the lines an operator looks for.
    log.debug("Ingest configuration:\n{}", config.describe());
    this.jvmMeters = io.tickstream.common.metrics.JvmMeters.bindTo(registry);
    io.tickstream.common.cluster.HazelcastCluster.bindMeters(vertx, registry);
    IngestDrops drops = new IngestDrops(registry);
    ConnectionBudget budget = new ConnectionBudget(config.get(IngestSettings.CONNECT_ATTEMPTS),
        config.get(IngestSettings.CONNECT_WINDOW).toMillis());
    this.discoveryBackoff = new Backoff(config.get(IngestSettings.RECONNECT_BASE_DELAY), config.get(IngestSettings.RECONNECT_MAX_DELAY));
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000));
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(false)
        .setMaxConnections(10_000).setConnectTimeout(10_000));
    this.discovery = new SymbolDiscovery(vertx, http, config.get(IngestSettings.REST_URL), config.get(IngestSettings.SYMBOLS));
    this.kafkaAdmin = Admin.create(new HashMap<>(KafkaSettings.clientProperties(config, "ingest-admin")));
    this.producer = KafkaProducer.create(vertx, producerProps);
    ChunkDeployer deployer = new ChunkDeployer(vertx, config, ws, budget, producer.unwrap(), recorder, drops, registry);
    this.ownership = new ChunkOwnership(vertx, deployer, config.get(IngestSettings.REPLICAS),
        config.get(IngestSettings.HANDOVER_TIMEOUT).toMillis());
    registerGauges();
  }

  public MeterRegistry registry() {
    return registry;
  }

  public Future<Void> start() {
    return BookTickerTopic.ensure(vertx, kafkaAdmin, config)
        .compose(check -> ownership.start())
        .compose(check -> startAdmin())
        .onSuccess(v -> clusterStatus = io.tickstream.common.cluster.ClusterStatus.start(vertx, "ingest",
            config.get(IngestSettings.ADMIN_HOST) + ":" + adminPort(), io.tickstream.common.cluster.ClusterStatus.DEFAULT_INTERVAL,
            statusDetails()))
        .onSuccess(v -> awaitProducerMetadata(config.get(BookTickerTopic.NAME), 0));
  }

  private static Map<String, String> producerProperties(Config config) {
    Map<String, String> p = new HashMap<>();
    KafkaSettings.clientProperties(config, "ingest").forEach((k, v) -> p.put(k, String.valueOf(v)));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, config.get(IngestSettings.KAFKA_ACKS));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(config.get(IngestSettings.KAFKA_IDEMPOTENCE)));
    p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(config.get(IngestSettings.KAFKA_LINGER).toMillis()));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.get(IngestSettings.KAFKA_COMPRESSION));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(config.get(IngestSettings.KAFKA_BUFFER_MEMORY)));
    // send() runs on event loops: it must fail rather than wait for metadata or buffer space.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
    if (!config.get(IngestSettings.KAFKA_IDEMPOTENCE)) {
      // Without idempotence a retried batch can land after a later one (seen when a broker restarts):
      // a symbol's u would step back in the topic. One request in flight keeps the order; records that
      // arrive meanwhile join the next batch, so throughput holds and the cost is one round trip of queueing.
      p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    }
    for (String pair : config.get(IngestSettings.KAFKA_PROPERTIES)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("ingest.kafka.properties entry '" + pair + "' is not key=value");
      }
      p.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return p;
  }

  private void registerGauges() {
    Gauge.builder(IngestMetrics.READY, this, e -> e.isReady() ? 1 : 0).register(registry);
    Gauge.builder(IngestMetrics.SYMBOLS, ownership, ChunkOwnership::writingStreamCount).register(registry);
    Gauge.builder(IngestMetrics.CONNECTIONS, ownership, o -> o.chunks().stream().filter(SymbolChunk::isStreaming).count())
        .tag("state", "streaming").register(registry);
    Gauge.builder(IngestMetrics.CONNECTIONS, ownership, o -> o.chunks().stream().filter(c -> !c.isStreaming()).count())
        .tag("state", "connecting").register(registry);
  }

  /**
   * With {@code max.block.ms=0} a send fails until the producer knows the topic's partitions. Asking once
   * starts the metadata fetch; exchange connections open only when sends can succeed, so the first ticks are
   * not conflated away. Kafka unreachable at start: keep asking (readiness stays false meanwhile).
   */
  private void awaitProducerMetadata(String topic, int attempt) {
    if (stopping) {
      return;
    }
    vertx.executeBlocking(() -> producer.unwrap().partitionsFor(topic)).onComplete(ar -> {
      if (ar.succeeded() && !ar.result().isEmpty()) {
        refresh();
      } else {
        if (attempt % 100 == 99) {
          log.warn("Kafka has not answered for the partitions of {} yet; waiting before connecting to the exchange", topic);
        }
        vertx.setTimer(50, t -> awaitProducerMetadata(topic, attempt + 1));
      }
    });
  }

  // ---- symbols and chunks

  private void refresh() {
    if (stopping) {
      return;
    }
    discovery.tradingSymbols().onComplete(ar -> {
      if (stopping) {
        return;
      }
      long next = config.get(IngestSettings.SYMBOL_REFRESH).toMillis();
      if (ar.failed()) {
        next = ar.cause() instanceof SymbolDiscovery.RateLimitedException rl
            ? rl.retryAfterMillis : Math.max(1, discoveryBackoff.nextDelayMillis());
        // Running chunks are unaffected: a failed refresh only delays the next listing change.
        log.warn("Symbol discovery failed ({}); next attempt in {} ms", ar.cause().getMessage(), next);
        scheduleRefresh(next);
        return;
      }
      discoveryBackoff.reset();
      apply(ar.result());
      discovered = true;
      scheduleRefresh(config.get(IngestSettings.SYMBOL_REFRESH).toMillis());
    });
  }

  private void scheduleRefresh(long millis) {
    refreshTimer = vertx.setTimer(Math.max(1, millis), t -> refresh());
  }

  /**
   * Forms the chunks from the symbol list ({@link ChunkLayout}, the same on every node) and hands them to the
   * ownership, which runs this node's share; symbol changes reach running chunks as live SUBSCRIBE/UNSUBSCRIBE.
   */
  private void apply(List<String> symbols) {
    Set<String> streams = new HashSet<>();
    for (String symbol : symbols) {
      try {
        streams.add(StreamName.bookTicker(symbol).toString());
      } catch (InvalidStreamNameException e) {
        log.warn("Ignoring exchange symbol {}: {}", symbol, e.getMessage());
      }
    }
    ChunkLayout next = ChunkLayout.of(streams, config.get(IngestSettings.CHUNK_SIZE));
    if (layout == null || !layout.chunks().equals(next.chunks())) {
      log.info("Symbols: {} streams in {} chunks of {} slots", next.streamCount(), next.size(), next.slots());
    }
    layout = next;
    ownership.layout(next);
  }

  // ---- readiness and health

  /**
   * True once symbols were discovered and while every chunk this node holds is streaming (a node holding none,
   * with other nodes holding every chunk, is a ready standby). Any thread (a racy read of the ownership's chunks).
   */
  public boolean isReady() {
    if (!discovered || stopping) {
      return false;
    }
    for (SymbolChunk c : ownership.chunks()) {
      if (!c.isStreaming()) {
        return false;
      }
    }
    return true;
  }

  public int adminPort() {
    return admin == null ? -1 : admin.actualPort();
  }

  /** Chunks currently deployed on this node. */
  public int chunkCount() {
    return ownership.chunks().size();
  }

  /** This node's chunk ownership (tests). */
  public ChunkOwnership ownership() {
    return ownership;
  }

  /** Symbols, ticks/s acknowledged by Kafka since the previous call, readiness; called on the engine's context. */
  private java.util.function.Supplier<JsonObject> statusDetails() {
    long[] last = {ticksAcked(), System.nanoTime()};
    return () -> {
      long acked = ticksAcked();
      long now = System.nanoTime();
      double perSecond = now > last[1] ? (acked - last[0]) * 1e9 / (now - last[1]) : 0;
      last[0] = acked;
      last[1] = now;
      return new JsonObject().put("symbols", ownership.writingStreamCount()).put("ticksPerSecond", Math.round(perSecond))
          .put("ready", isReady()).put("chunks", ownership.describe());
    };
  }

  private long ticksAcked() {
    io.micrometer.core.instrument.Counter c = registry.find(io.tickstream.ingest.IngestMetrics.TICKS_ACKED).counter();
    return c == null ? 0 : (long) c.count();
  }

  /**
   * The private admin server, unless {@code ingest.admin-port} is -1. Live: the process runs (the ingest retries
   * everything it can for ever, so nothing a restart cures); ready: {@link #isReady()}, with the chunk counts.
   */
  private Future<Void> startAdmin() {
    int port = config.get(IngestSettings.ADMIN_PORT);
    if (port == AdminSettings.DISABLED) {
      return Future.succeededFuture();
    }
    AdminServer server = AdminServer.builder(vertx, config.get(IngestSettings.ADMIN_HOST), port)
        .live(Health::ok)
        .ready(() -> Health.of(isReady(), new JsonObject().put("chunks", ownership.chunks().size())
            .put("streaming", ownership.chunks().stream().filter(SymbolChunk::isStreaming).count())
            .put("symbols", ownership.writingStreamCount())))
        .metrics(registry)
        .cluster(() -> clusterStatus == null ? null : clusterStatus.members())
        .build();
    return server.start().onSuccess(s -> {
      admin = s;
      log.info("Ingest admin (/health/live, /health/ready, /metrics, /cluster) on http://{}:{}", s.host(), s.actualPort());
    }).mapEmpty();
  }

  public Future<Void> stop() {
    stopping = true;
    jvmMeters.close();
    if (clusterStatus != null) {
      clusterStatus.close();
    }
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    // Chunks first (handed over to the other ingest nodes where there are some), so that nothing sends while the
    // producer flushes and closes.
    Future<Void> chunksClosed = ownership.leave().recover(e -> Future.succeededFuture());
    Promise<Void> done = Promise.promise();
    Future<Void> producerClosed = chunksClosed
        .transform(x -> producer.close(5_000));
    producerClosed.onComplete(ar -> {
      vertx.executeBlocking(() -> {
        kafkaAdmin.close();
        if (recorder != null) {
          recorder.close();
        }
        return null;
      }).onComplete(x -> done.complete());
    });
    List<Future<?>> closes = new ArrayList<>();
    closes.add(done.future());
    if (admin != null) {
      closes.add(admin.close());
    }
    closes.add(ws.close());
    closes.add(http.close());
    return Future.join(closes).mapEmpty();
  }
}
