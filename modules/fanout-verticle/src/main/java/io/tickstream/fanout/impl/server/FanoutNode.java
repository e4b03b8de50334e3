package io.tickstream.fanout.impl.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.common.admin.AdminServer;
import io.tickstream.common.admin.Health;
import io.tickstream.common.cluster.ClusterStatus;
import io.tickstream.common.config.Config;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.access.ClientAccess;
import io.tickstream.fanout.impl.loop.LoopDispatcher;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import io.tickstream.fanout.impl.source.EncodedTick;
import io.tickstream.fanout.impl.source.TickBatch;
import io.tickstream.fanout.impl.source.TickBatchSink;
import io.tickstream.fanout.impl.source.TickSource;
import io.tickstream.fanout.impl.transport.SockJSStreams;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the server instances of one node share: the configuration, the meters, the dispatchers (one per event
 * loop), the node-wide connection count and the lifecycle flags. Thread-safe.
 *
 * <p>Ticks reach the loops over the node's <b>local</b> event bus: one publish per Kafka poll batch to
 * {@link #address()}, one consumer per event loop (its {@link LoopDispatcher}), which owns a plain
 * {@code symbol -> subscriptions} map for its connections. The event bus keeps one address's consumers in a
 * copy-on-write array, so registering one consumer per loop stays cheap where one per connection would not.
 */
public final class FanoutNode implements TickBatchSink {

  final FanoutConfig config;
  final NodeMetrics metrics;
  public final List<LoopDispatcher> dispatchers = new CopyOnWriteArrayList<>();
  /** SockJS sessions' streaming connections, node-wide as SockJS's sessions are. */
  final SockJSStreams sockJSStreams = new SockJSStreams();
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setCodecName(TickBatch.CODEC_NAME);
  private final Vertx vertx;
  /** Unique per node, so several nodes in one JVM (tests, the local stack) never see each other's ticks. */
  private final String address = "tickstream.fanout.ticks." + UUID.randomUUID();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean draining;
  private volatile TickSource source;
  private volatile ClusterStatus clusterStatus;
  /** TLS of the client port, shared by the server instances; off unless set before they start. */
  private volatile ServerTls tls = ServerTls.OFF;
  /** Origin allowlist and client keys ({@code fanout.allowed-origins}, {@code fanout.auth}); set before the servers start. */
  public volatile ClientAccess access = ClientAccess.open();

  public FanoutNode(Vertx vertx, FanoutConfig config, NodeMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    try {
      vertx.eventBus().registerCodec(TickBatch.CODEC);
    } catch (IllegalStateException alreadyRegistered) {
      // Another node in this Vert.x instance registered it: the codec is stateless, share it.
    }
  }

  /** The local event-bus address the dispatchers consume. */
  String address() {
    return address;
  }

  @Override
  public FanoutConfig config() {
    return config;
  }

  /** Publishes one batch of ticks to every loop of this node; called on the Kafka thread. */
  @Override
  public void publish(List<EncodedTick> batch) {
    vertx.eventBus().publish(address, new TickBatch(batch), LOCAL);
  }

  private volatile String exchange;

  /** Where the ticks come from ({@code fanout.exchange}), reported by {@code /health/ready}; null if unknown. */
  public void exchange(String exchange) {
    this.exchange = exchange;
  }

  String exchange() {
    return exchange;
  }

  /** TLS of the client port ({@code fanout.tls-*}); set, started, before the servers start. */
  public void tls(ServerTls tls) {
    this.tls = tls;
  }

  public ServerTls tls() {
    return tls;
  }

  /** What {@code GET /cluster} lists; set before the servers start. */
  public void clusterStatus(ClusterStatus status) {
    this.clusterStatus = status;
  }

  ClusterStatus clusterStatus() {
    return clusterStatus;
  }

  public void source(TickSource source) {
    this.source = source;
  }

  public TickSource source() {
    return source;
  }

  /**
   * Ready: the snapshot is rebuilt and on every loop, Kafka is being followed, the data is fresh (see
   * {@link #fresh()}), and the node is not draining.
   */
  public boolean ready() {
    TickSource s = source;
    if (draining || s == null || !s.following() || dispatchers.isEmpty() || !fresh()) {
      return false;
    }
    for (LoopDispatcher d : dispatchers) {
      if (!d.hasSnapshot()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Fresh: the newest tick's {@code pt}, or the consumer's last confirmation that it had read every partition to its
   * end, is at most {@code fanout.max-data-age} old (always, with 0). The confirmation is what keeps a node ready on a
   * quiet market or an empty topic; with Kafka unreachable both age, and past the bound a load balancer sends new
   * clients to another node, while connected clients stay and get the ticks once Kafka is back.
   */
  boolean fresh() {
    long max = config.maxDataAgeMillis();
    return max <= 0 || metrics.freshnessAgeMillis() <= max;
  }

  /**
   * What {@code /health/ready} shows next to the status: draining, the exchange, the data age and the last time the
   * consumer confirmed it had caught up (null when unknown), and the bound they are held to. Any thread.
   */
  public JsonObject readinessDetails() {
    long dataAge = metrics.dataAgeMillis();
    long caughtUpAge = metrics.caughtUpAgeMillis();
    return new JsonObject().put("draining", draining).put("exchange", exchange)
        .put("dataAgeMs", dataAge < 0 ? null : dataAge)
        .put("caughtUpAgeMs", caughtUpAge < 0 ? null : caughtUpAge)
        .put("maxDataAgeMs", config.maxDataAgeMillis());
  }

  /**
   * This node's private admin server on {@code host:port} (not started): live is {@link #live()}, ready is
   * {@link #ready()} with {@link #readinessDetails()}, {@code /metrics} scrapes {@code registry}, {@code /cluster}
   * lists the statuses once {@link #clusterStatus(io.tickstream.common.cluster.ClusterStatus)} set them.
   */
  public AdminServer adminServer(String host, int port,
                                                            MeterRegistry registry) {
    return AdminServer.builder(vertx, host, port)
        .live(() -> Health.of(live(), new JsonObject()))
        .ready(() -> Health.of(ready(), readinessDetails()))
        .metrics(registry)
        .cluster(() -> {
          ClusterStatus status = clusterStatus;
          return status == null ? null : status.members();
        })
        .build();
  }

  /** Live: false once the Kafka consumer kept failing and the source gave up. */
  public boolean live() {
    TickSource s = source;
    return s == null || !s.gaveUp();
  }

  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }

  private Admission admission;

  /** Sets the node's admission control (the verticle does, before the servers start). */
  public synchronized void admission(Admission admission) {
    this.admission = admission;
  }

  /** The node's admission control; one with default settings for a node built without the verticle (tests). */
  synchronized Admission admission() {
    if (admission == null) {
      admission = Admission.of(vertx, Config.defaults(FanoutSettings.ALL),
          new SimpleMeterRegistry());
    }
    return admission;
  }

  /** Reserves a connection slot; false at {@code fanout.max-connections}. */
  boolean tryAcquireConnection() {
    while (true) {
      int n = connections.get();
      if (n >= config.maxConnections()) {
        return false;
      }
      if (connections.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void releaseConnection() {
    connections.decrementAndGet();
  }
}
