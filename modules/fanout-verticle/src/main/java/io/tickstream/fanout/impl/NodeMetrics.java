package io.tickstream.fanout.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tickstream.fanout.FanoutMetrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The node's meters. Counters touched once per Kafka record are Micrometer counters; what changes per
 * connection and per frame is counted in plain fields of each {@link LoopDispatcher} (written by its event
 * loop only) and summed at scrape time by function counters and gauges: a scrape may read a value a few
 * increments old, and the hot path pays no atomic operation per frame.
 */
public final class NodeMetrics {

  final Counter ticksIn;
  final Counter staleDrops;
  final Counter malformed;
  final Timer latency;
  private final List<LoopDispatcher> dispatchers = new CopyOnWriteArrayList<>();

  public NodeMetrics(MeterRegistry registry) {
    ticksIn = Counter.builder(FanoutMetrics.TICKS_IN).description("Kafka records accepted").register(registry);
    staleDrops = Counter.builder(FanoutMetrics.STALE_DROPS)
        .description("Kafka records whose u was not above the symbol's last accepted one").register(registry);
    malformed = Counter.builder(FanoutMetrics.MALFORMED).description("Kafka records that are not book tickers")
        .register(registry);
    latency = Timer.builder(FanoutMetrics.LATENCY).description("now - pt when a tick is written to clients")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    gauge(registry, FanoutMetrics.CONNECTIONS, "open client connections", d -> d.connectionCount());
    gauge(registry, FanoutMetrics.SUBSCRIPTIONS, "stream subscriptions", d -> d.subscriptionCount);
    gauge(registry, FanoutMetrics.PENDING, "ticks waiting for slow or throttled connections", d -> d.pendingTicks);
    counter(registry, FanoutMetrics.FRAMES_OUT, "tick frames written to clients", d -> d.framesOut);
    counter(registry, FanoutMetrics.CONFLATED_DROPS, "pending ticks replaced by a newer one", d -> d.conflatedDrops);
    counter(registry, FanoutMetrics.SLOW_CLIENT_CLOSES, "connections closed with 1013", d -> d.slowClientCloses);
  }

  void add(LoopDispatcher d) {
    dispatchers.add(d);
  }

  void remove(LoopDispatcher d) {
    dispatchers.remove(d);
  }

  private void gauge(MeterRegistry registry, String name, String description, ToLongFunction<LoopDispatcher> f) {
    Gauge.builder(name, this, m -> m.sum(f)).description(description).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, ToLongFunction<LoopDispatcher> f) {
    FunctionCounter.builder(name, this, m -> m.sum(f)).description(description).register(registry);
  }

  /** Sum over the dispatchers; racy reads of event-loop fields, good enough for monitoring and tests. */
  public long sum(ToLongFunction<LoopDispatcher> f) {
    long total = 0;
    for (LoopDispatcher d : dispatchers) {
      total += f.applyAsLong(d);
    }
    return total;
  }

  /** Open client connections (racy sum, for status reports). */
  public long connections() {
    return sum(LoopDispatcher::connectionCount);
  }

  /** Stream subscriptions (racy sum, for status reports). */
  public long subscriptions() {
    return sum(d -> d.subscriptionCount);
  }

  /** Kafka records accepted since start. */
  public long ticksIn() {
    return (long) ticksIn.count();
  }

  void recordLatency(long ptMicros, long nowMicros) {
    if (ptMicros > 0 && nowMicros >= ptMicros) {
      latency.record(nowMicros - ptMicros, TimeUnit.MICROSECONDS);
    }
  }

  static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
