package io.tickstream.fanout.impl.metrics;


import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.List;

/**
 * {@code ft → flush} as a Prometheus histogram whose counts live in plain fields of each {@link LoopStats}.
 *
 * <p>Why not a Micrometer {@code Timer}: one sample per connection flush is up to 10,000 samples per tick per loop,
 * and a timer update (binary search over ~70 buckets, atomic adds shared by every loop, a clock read for its max)
 * cost ~80 ns each in {@code PerTickPathBenchmark}. Here a sample is a subtraction, a leading-zero count and a
 * plain increment of the loop's own array (single writer, no atomics, no shared cache line); the loops' arrays are
 * summed when {@code /metrics} is scraped, racily like the fanout's other per-loop counters (a scrape may miss the
 * last few samples, or see a bucket's increment before the sum's).
 *
 * <p>Buckets: powers of two in µs, {@code le} 1 µs, 2 µs, 4 µs ... 2^24 µs (16.8 s), then {@code +Inf}: 26 series.
 * Resolution is a factor of two, which {@code histogram_quantile} interpolates within.
 */
public final class FtToFlushHistogram implements Collector {

  /** The Prometheus name; the text format adds {@code _bucket}, {@code _count} and {@code _sum}. */
  static final String NAME = "tickstream_fanout_ft_to_flush_seconds";
  static final String HELP =
      "per connection flush: oldest live ft written since its previous flush to the end of the loop's flush pass";
  /** Finite buckets: {@code le = 2^i µs} for i in 0..24; index {@value} is {@code +Inf}. */
  static final int FINITE = 25;
  static final int BUCKETS = FINITE + 1;
  private static final double[] UPPER_BOUNDS_SECONDS = new double[BUCKETS];

  static {
    for (int i = 0; i < FINITE; i++) {
      UPPER_BOUNDS_SECONDS[i] = (1L << i) / 1e6;
    }
    UPPER_BOUNDS_SECONDS[FINITE] = Double.POSITIVE_INFINITY;
  }

  private final List<LoopStats> dispatchers;

  FtToFlushHistogram(List<LoopStats> dispatchers) {
    this.dispatchers = dispatchers;
  }

  /** The bucket of a sample of {@code micros} (≥ 0): the least i with {@code micros ≤ 2^i}, or {@code +Inf}. */
  public static int bucket(long micros) {
    return Math.min(64 - Long.numberOfLeadingZeros(Math.max(micros, 1) - 1), FINITE);
  }

  /** Samples {@code d} recorded (racy read). */
  static long count(LoopStats d) {
    long n = 0;
    for (long c : d.counters().ftToFlushBuckets) {
      n += c;
    }
    return n;
  }

  /** Upper bound of bucket {@code i} in seconds (for tests). */
  static double upperBoundSeconds(int i) {
    return UPPER_BOUNDS_SECONDS[i];
  }

  @Override
  public MetricSnapshot collect() {
    long[] counts = new long[BUCKETS];
    long sumMicros = 0;
    for (LoopStats d : dispatchers) {
      // The sum first: the loop adds to it after the buckets, so read this way round it lags them, never leads.
      sumMicros += d.counters().ftToFlushSumMicros;
      long[] own = d.counters().ftToFlushBuckets;
      for (int i = 0; i < BUCKETS; i++) {
        counts[i] += own[i];
      }
    }
    return HistogramSnapshot.builder().name(NAME).help(HELP)
        .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS_SECONDS.clone(), counts))
            .sum(sumMicros / 1e6).build())
        .build();
  }

  @Override
  public String getPrometheusName() {
    return NAME;
  }
}
