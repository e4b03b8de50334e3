package io.tickstream.fanout.impl.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickstream.fanout.FanoutMetrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The node's meters. Counters touched once per Kafka record are Micrometer counters; what changes per
 * connection and per frame is counted in plain fields of each {@link LoopStats} and its {@link SendCounters} (written by its event
 * loop only) and summed at scrape time by function counters and gauges: a scrape may read a value a few
 * increments old, and the hot path pays no atomic operation per frame.
 */
public final class NodeMetrics {

  public final Counter ticksIn;
  public final Counter staleDrops;
  public final Counter malformed;
  public final Counter tombstones;
  public final Counter consumerRestarts;
  public final Counter uRebases;
  public final Counter expressTicks;
  /**
   * Copies of a tick the node already handed to its loops from its other source (the express lane or Kafka), dropped
   * by their {@code u} before decoding; written by the Kafka thread and the express lane's loop.
   */
  public final LongAdder lateCopies = new LongAdder();
  final Timer latency;
  final Timer appendToFt;
  final Counter appendAfterFt;
  private final FtToFlushHistogram ftToFlush;
  /** Where {@link #ftToFlush} is registered; null on a registry other than Prometheus. */
  private final PrometheusRegistry prometheus;
  /** Newest {@code pt} (µs) accepted, 0 before the first; written by the Kafka thread once per poll. */
  private volatile long newestPtMicros;
  /** When (ms) the consumer last confirmed it had read every partition to its end; 0 before the snapshot. */
  private volatile long caughtUpAtMillis;
  /** Partitions the consumer reads; written by the Kafka thread. */
  private volatile int partitions;
  private final List<LoopStats> dispatchers = new CopyOnWriteArrayList<>();

  public NodeMetrics(MeterRegistry registry) {
    ticksIn = Counter.builder(FanoutMetrics.TICKS_IN).description("Kafka records accepted").register(registry);
    staleDrops = Counter.builder(FanoutMetrics.STALE_DROPS)
        .description("Kafka records whose u was not above the symbol's last accepted one").register(registry);
    malformed = Counter.builder(FanoutMetrics.MALFORMED).description("Kafka records that are not book tickers")
        .register(registry);
    tombstones = Counter.builder(FanoutMetrics.TOMBSTONES)
        .description("Kafka tombstones read: symbols delisted from the snapshot").register(registry);
    consumerRestarts = Counter.builder(FanoutMetrics.CONSUMER_RESTARTS)
        .description("restarts of the Kafka consumer after it failed").register(registry);
    uRebases = Counter.builder(FanoutMetrics.U_REBASES)
        .description("symbols re-based onto a lower u that stayed below the last one past fanout.u-rebase-after")
        .register(registry);
    expressTicks = Counter.builder(FanoutMetrics.EXPRESS_TICKS).description("ticks received on the express lane")
        .register(registry);
    Gauge.builder(FanoutMetrics.DATA_AGE, this, m -> m.dataAgeMillis() < 0 ? Double.NaN : m.dataAgeMillis() / 1000.0)
        .baseUnit("seconds").description("now minus the newest pt accepted").register(registry);
    Gauge.builder(FanoutMetrics.PARTITIONS, this, m -> m.partitions).description("partitions the consumer reads")
        .register(registry);
    latency = Timer.builder(FanoutMetrics.LATENCY).description("now - pt when a tick is written to clients")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    // The append time has ms resolution, so nothing below 1 ms is worth a bucket.
    appendToFt = Timer.builder(FanoutMetrics.APPEND_TO_FT)
        .description("Kafka append time (record timestamp, LogAppendTime topics only) to ft")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    appendAfterFt = Counter.builder(FanoutMetrics.APPEND_AFTER_FT)
        .description("records appended after their ft by the clocks (broker ahead of this host), recorded as 0")
        .register(registry);
    // Up to one sample per connection per tick: counted by each loop in its own arrays, merged at scrape time.
    ftToFlush = new FtToFlushHistogram(dispatchers);
    if (registry instanceof PrometheusMeterRegistry p) {
      prometheus = p.getPrometheusRegistry();
      prometheus.register(ftToFlush);
    } else {
      prometheus = null;
      FunctionTimer.builder(FanoutMetrics.FT_TO_FLUSH, this, m -> m.sum(d -> FtToFlushHistogram.count(d)),
              m -> m.sum(d -> d.counters().ftToFlushSumMicros), TimeUnit.MICROSECONDS)
          .description(FtToFlushHistogram.HELP).register(registry);
    }
    gauge(registry, FanoutMetrics.CONNECTIONS, "open client connections", d -> d.connectionCount());
    gauge(registry, FanoutMetrics.SUBSCRIPTIONS, "stream subscriptions", d -> d.subscriptionCount());
    gauge(registry, FanoutMetrics.PENDING, "ticks waiting for slow or throttled connections", d -> d.counters().pendingTicks);
    counter(registry, FanoutMetrics.FRAMES_OUT, "tick frames written to clients", d -> d.counters().framesOut);
    FunctionCounter.builder(FanoutMetrics.LATE_COPIES, this, m -> m.lateCopies.sum() + m.sum(d -> d.lateCopies()))
        .description("tick copies dropped because a copy with the same or a higher u was delivered first: by the source "
            + "before decoding, or by a loop")
        .register(registry);
    counter(registry, FanoutMetrics.CONFLATED_DROPS, "pending ticks replaced by a newer one", d -> d.counters().conflatedDrops);
    counter(registry, FanoutMetrics.SLOW_CLIENT_CLOSES, "connections closed with 1013", d -> d.counters().slowClientCloses);
    for (ClientClose why : ClientClose.ALL) {
      FunctionCounter.builder(FanoutMetrics.CLIENT_CLOSES, this, m -> m.sum(d -> d.counters().clientCloses[why.ordinal()]))
          .tag(FanoutMetrics.CLIENT_CLOSE_REASON, why.tag)
          .description("connections the node closed because of what the client did, by reason").register(registry);
    }
    Gauge.builder(FanoutMetrics.OUTBOUND_PEAK, this, m -> m.max(d -> d.counters().outboundPeakBytes)).baseUnit("bytes")
        .description("most bytes one connection held queued in this node, at a control frame, since start")
        .register(registry);
    counter(registry, FanoutMetrics.REBALANCED, "connections asked to reconnect elsewhere by rebalancing",
        d -> d.rebalanced());
  }

  /** A loop starts reporting. */
  public void add(LoopStats d) {
    dispatchers.add(d);
  }

  /** A loop stops reporting. */
  public void remove(LoopStats d) {
    dispatchers.remove(d);
  }

  private void gauge(MeterRegistry registry, String name, String description, ToLongFunction<LoopStats> f) {
    Gauge.builder(name, this, m -> m.sum(f)).description(description).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, ToLongFunction<LoopStats> f) {
    FunctionCounter.builder(name, this, m -> m.sum(f)).description(description).register(registry);
  }

  /** Sum over the dispatchers; racy reads of event-loop fields, good enough for monitoring and tests. */
  public long sum(ToLongFunction<LoopStats> f) {
    long total = 0;
    for (LoopStats d : dispatchers) {
      total += f.applyAsLong(d);
    }
    return total;
  }

  /** Largest value over the dispatchers; racy reads, like {@link #sum}. */
  public long max(ToLongFunction<LoopStats> f) {
    long max = 0;
    for (LoopStats d : dispatchers) {
      max = Math.max(max, f.applyAsLong(d));
    }
    return max;
  }

  /** Open client connections (racy sum, for status reports). */
  public long connections() {
    return sum(LoopStats::connectionCount);
  }

  /** Stream subscriptions (racy sum, for status reports). */
  public long subscriptions() {
    return sum(LoopStats::subscriptionCount);
  }

  /** Kafka records accepted since start. */
  public long ticksIn() {
    return (long) ticksIn.count();
  }

  /** Now minus the newest {@code pt} accepted, in ms; -1 before the first tick. */
  public long dataAgeMillis() {
    long pt = newestPtMicros;
    return pt <= 0 ? -1 : Math.max(0, System.currentTimeMillis() - pt / 1_000);
  }

  /** Since the consumer last confirmed it had read every partition to its end, in ms; -1 before the snapshot. */
  public long caughtUpAgeMillis() {
    long at = caughtUpAtMillis;
    return at <= 0 ? -1 : Math.max(0, System.currentTimeMillis() - at);
  }

  /**
   * How old the node's view may be: the younger of {@link #dataAgeMillis()} and {@link #caughtUpAgeMillis()}, so a
   * quiet symbol set or an empty topic read to its end counts as fresh; {@link Long#MAX_VALUE} when neither is known.
   */
  public long freshnessAgeMillis() {
    long data = dataAgeMillis();
    long caughtUp = caughtUpAgeMillis();
    return Math.min(data < 0 ? Long.MAX_VALUE : data, caughtUp < 0 ? Long.MAX_VALUE : caughtUp);
  }

  public void recordLatency(long ptMicros, long nowMicros) {
    if (ptMicros > 0 && nowMicros >= ptMicros) {
      latency.record(nowMicros - ptMicros, TimeUnit.MICROSECONDS);
    }
  }

  /** Kafka's append time (ms) to {@code ft} (µs); a negative difference is clock skew, counted and recorded as 0. */
  public void recordAppendToFt(long appendMillis, long ftMicros) {
    long micros = ftMicros - appendMillis * 1_000;
    if (micros < 0) {
      appendAfterFt.increment();
      micros = 0;
    }
    appendToFt.record(micros, TimeUnit.MICROSECONDS);
  }

  /** The newest {@code pt} (µs) accepted so far; 0 before the first. */
  public long newestPtMicros() {
    return newestPtMicros;
  }

  /** The newest {@code pt} (µs) accepted; written by the Kafka thread once per poll. */
  public void newestPtMicros(long ptMicros) {
    newestPtMicros = ptMicros;
  }

  /** The consumer confirmed at {@code millis} that it had read every partition to its end. */
  public void caughtUpAt(long millis) {
    caughtUpAtMillis = millis;
  }

  /** Partitions the consumer reads now; written by the Kafka thread. */
  public void partitions(int count) {
    partitions = count;
  }

  /**
   * Takes the {@code ft → flush} histogram off the Prometheus registry: it is not a Micrometer meter, and a node
   * deployed again on the same (Vert.x default) registry registers its own under the same name.
   */
  public void close() {
    if (prometheus != null) {
      prometheus.unregister(ftToFlush);
    }
  }

  public static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
