package io.tickstream.fanout.impl.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.common.config.Config;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.loop.LoopDispatcher;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-loop {@code ft → flush} histogram: its buckets, and what a scrape of the merged loops shows. */
class FtToFlushHistogramTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aSampleGoesToTheLeastPowerOfTwoMicrosecondsAtOrAboveIt() {
    assertThat(FtToFlushHistogram.bucket(0)).isZero();
    assertThat(FtToFlushHistogram.bucket(1)).isZero();
    assertThat(FtToFlushHistogram.bucket(2)).isEqualTo(1);
    assertThat(FtToFlushHistogram.bucket(3)).isEqualTo(2);
    assertThat(FtToFlushHistogram.bucket(4)).isEqualTo(2);
    assertThat(FtToFlushHistogram.bucket(5)).isEqualTo(3);
    assertThat(FtToFlushHistogram.bucket(1L << 24)).isEqualTo(24);
    assertThat(FtToFlushHistogram.bucket((1L << 24) + 1)).isEqualTo(FtToFlushHistogram.FINITE);
    assertThat(FtToFlushHistogram.bucket(Long.MAX_VALUE)).isEqualTo(FtToFlushHistogram.FINITE);
    for (long micros : new long[]{1, 2, 3, 1000, 999_999, 1L << 24}) {
      assertThat(micros / 1e6).isLessThanOrEqualTo(
          FtToFlushHistogram.upperBoundSeconds(FtToFlushHistogram.bucket(micros)));
    }
  }

  @Test
  void aScrapeSumsTheLoopsIntoOneCumulativeHistogramAndCloseTakesItOff() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    NodeMetrics metrics = new NodeMetrics(registry);
    LoopDispatcher a = loop(metrics);
    LoopDispatcher b = loop(metrics);
    long now = NodeMetrics.nowMicros();
    a.sends.flushed(now - 5_000_000); // 5 s: le 2^23 µs (8.4 s)
    a.sends.flushed(now + 60_000_000); // ft ahead of the clock: recorded as 0
    assertThat(a.sends.flushDirty()).isGreaterThanOrEqualTo(now);
    b.sends.flushed(now - 5_000_000);
    b.sends.flushDirty();
    assertThat(b.sends.flushDirty()).as("a pass that flushed no live tick reads no clock").isZero();

    Map<String, Double> samples = samples(registry.scrape());
    assertThat(samples).containsEntry("tickstream_fanout_ft_to_flush_seconds_count", 3.0)
        .containsEntry("tickstream_fanout_ft_to_flush_seconds_bucket{le=\"+Inf\"}", 3.0);
    assertThat(samples.get("tickstream_fanout_ft_to_flush_seconds_sum")).isBetween(10.0, 10.1);
    assertThat(bucket(samples, 1e-6)).isEqualTo(1.0);
    assertThat(bucket(samples, (1 << 22) / 1e6)).isEqualTo(1.0);
    assertThat(bucket(samples, (1 << 23) / 1e6)).isEqualTo(3.0);

    metrics.close();
    assertThat(registry.scrape()).doesNotContain("tickstream_fanout_ft_to_flush");
    new NodeMetrics(registry).close(); // the name is free again: a node deployed anew registers its own
  }

  private LoopDispatcher loop(NodeMetrics metrics) {
    LoopDispatcher d = new LoopDispatcher(vertx, vertx.getOrCreateContext(),
        FanoutConfig.of(Config.defaults(FanoutSettings.ALL)), metrics);
    metrics.add(d);
    return d;
  }

  private static double bucket(Map<String, Double> samples, double le) {
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String key = e.getKey();
      if (key.startsWith("tickstream_fanout_ft_to_flush_seconds_bucket{le=\"") && !key.contains("+Inf")) {
        double bound = Double.parseDouble(key.substring(key.indexOf('"') + 1, key.lastIndexOf('"')));
        if (Math.abs(bound - le) < 1e-12) {
          return e.getValue();
        }
      }
    }
    throw new AssertionError("no bucket le=" + le + " in " + samples.keySet());
  }

  private static Map<String, Double> samples(String scrape) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("tickstream_fanout_ft_to_flush_seconds")) {
        int space = line.lastIndexOf(' ');
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return samples;
  }
}
