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
import io.tickstream.fanout.impl.source.TickBatchSink;
import io.tickstream.fanout.impl.source.TickSource;
import io.tickstream.fanout.impl.transport.SockJSStreams;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the server instances of one node share: the configuration, the meters, the tick source and the bus it feeds
 * the loops through ({@link TickBus}), the dispatchers (one per event loop), admission, client access, TLS, the
 * node-wide connection count and the draining flag. Built whole by {@link #builder}: every part is final and there
 * from the start, so nothing about a node depends on the order its owner filled it in. Thread-safe.
 */
public final class FanoutNode {

  final FanoutConfig config;
  final NodeMetrics metrics;
  /** SockJS sessions' streaming connections, node-wide as SockJS's sessions are. */
  final SockJSStreams sockJSStreams = new SockJSStreams();
  private final List<LoopDispatcher> dispatchers = new CopyOnWriteArrayList<>();
  private final Vertx vertx;
  private final TickBus bus;
  private final TickSource source;
  private final Admission admission;
  /** Origin allowlist and client keys ({@code fanout.allowed-origins}, {@code fanout.auth}). */
  final ClientAccess access;
  /** TLS of the client port, shared by the server instances. */
  private final ServerTls tls;
  /** Where the ticks come from ({@code fanout.exchange}), reported by {@code /health/ready}; null if unknown. */
  private final String exchange;
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean draining;

  private FanoutNode(Builder b, TickBus bus, TickSource source) {
    this.vertx = b.vertx;
    this.config = b.config;
    this.metrics = b.metrics;
    this.bus = bus;
    this.source = source;
    this.admission = b.admission != null ? b.admission
        : Admission.of(b.vertx, Config.defaults(FanoutSettings.ALL), new SimpleMeterRegistry());
    this.access = b.access;
    this.tls = b.tls;
    this.exchange = b.exchange;
  }

  /** A node of {@code config}, counting into {@code metrics}; the builder needs its tick source, the rest has defaults. */
  public static Builder builder(Vertx vertx, FanoutConfig config, NodeMetrics metrics) {
    return new Builder(vertx, config, metrics);
  }

  /** Collects a node's parts; {@link #build} makes the node. Not thread-safe; used once. */
  public static final class Builder {
    private final Vertx vertx;
    private final FanoutConfig config;
    private final NodeMetrics metrics;
    private Function<TickBatchSink, TickSource> source;
    private Admission admission;
    private ClientAccess access = ClientAccess.open();
    private ServerTls tls = ServerTls.OFF;
    private String exchange;

    private Builder(Vertx vertx, FanoutConfig config, NodeMetrics metrics) {
      this.vertx = vertx;
      this.config = config;
      this.metrics = metrics;
    }

    /** The node's tick source, made from the sink it hands its batches to (required; started by the owner). */
    public Builder source(Function<TickBatchSink, TickSource> source) {
      this.source = source;
      return this;
    }

    /** Admission control; default: {@code fanout.*} defaults with meters of its own (tests). */
    public Builder admission(Admission admission) {
      this.admission = admission;
      return this;
    }

    /** Origin allowlist and client keys, started; default: open. */
    public Builder access(ClientAccess access) {
      this.access = access;
      return this;
    }

    /** TLS of the client port ({@code fanout.tls-*}), started; default: off. */
    public Builder tls(ServerTls tls) {
      this.tls = tls;
      return this;
    }

    /** Where the ticks come from ({@code fanout.exchange}); default: unknown. */
    public Builder exchange(String exchange) {
      this.exchange = exchange;
      return this;
    }

    public FanoutNode build() {
      if (source == null) {
        throw new IllegalStateException("a fanout node needs its tick source");
      }
      TickBus bus = new TickBus(vertx, config);
      return new FanoutNode(this, bus, source.apply(bus));
    }
  }

  /** The local event-bus address the dispatchers consume. */
  String address() {
    return bus.address();
  }

  public FanoutConfig config() {
    return config;
  }

  /** Where batches of ticks go to reach every loop: the express lane hands its ticks here too. */
  public TickBatchSink ticks() {
    return bus;
  }

  /** The loops' dispatchers, one per server instance; a read-only view. */
  public List<LoopDispatcher> dispatchers() {
    return Collections.unmodifiableList(dispatchers);
  }

  void register(LoopDispatcher dispatcher) {
    dispatchers.add(dispatcher);
  }

  void unregister(LoopDispatcher dispatcher) {
    dispatchers.remove(dispatcher);
  }

  String exchange() {
    return exchange;
  }

  public ServerTls tls() {
    return tls;
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
    if (draining || !s.following() || dispatchers.isEmpty() || !fresh()) {
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
   * lists what {@code cluster} gives (nothing while it gives null).
   */
  public AdminServer adminServer(String host, int port, MeterRegistry registry, Supplier<ClusterStatus> cluster) {
    return AdminServer.builder(vertx, host, port)
        .live(() -> Health.of(live(), new JsonObject()))
        .ready(() -> Health.of(ready(), readinessDetails()))
        .metrics(registry)
        .cluster(() -> {
          ClusterStatus status = cluster.get();
          return status == null ? null : status.members();
        })
        .build();
  }

  /** Live: false once the Kafka consumer kept failing and the source gave up. */
  public boolean live() {
    return !source.gaveUp();
  }

  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }

  /** The node's admission control. */
  Admission admission() {
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
