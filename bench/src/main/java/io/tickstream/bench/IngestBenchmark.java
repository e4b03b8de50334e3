package io.tickstream.bench;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.ingest.IngestMetrics;
import io.tickstream.ingest.IngestVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Ingest throughput, CPU and added latency (frame received → Kafka acknowledged) against a running
 * simulator and broker, in this JVM alone so that its CPU time is the ingest's.
 *
 * <p>Latency comes from the ingest's own {@code tickstream.ingest.added.latency} timer, given fixed buckets
 * (25 µs wide below 2 ms) by a meter filter; percentiles are read from bucket counts taken at the start and
 * the end of the measured window, so warm-up is excluded. A percentile is reported as its bucket's upper bound.
 */
@Command(name = "ingest-benchmark", mixinStandardHelpOptions = true)
public final class IngestBenchmark implements Callable<Integer> {

  @Option(names = "--exchange", defaultValue = "127.0.0.1:19443", description = "Simulator host:port.")
  String exchange;
  @Option(names = "--kafka", defaultValue = "127.0.0.1:19092", description = "Kafka bootstrap servers.")
  String kafka;
  @Option(names = "--topic", defaultValue = "bench-book-tickers", description = "Topic (use a fresh one per run).")
  String topic;
  @Option(names = "--warmup", defaultValue = "10", description = "Seconds of warm-up, not measured.")
  int warmupSeconds;
  @Option(names = "--duration", defaultValue = "30", description = "Seconds measured.")
  int durationSeconds;
  @Option(names = "--label", defaultValue = "", description = "Label printed with the result line.")
  String label;
  @Option(names = "--set", description = "Further ingest settings, key=value (repeatable).")
  List<String> settings = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new IngestBenchmark()).execute(args));
  }

  private static double[] buckets() {
    List<Double> b = new ArrayList<>();
    for (long us = 25; us <= 2_000; us += 25) {
      b.add(us * 1_000.0);
    }
    for (long us = 2_100; us <= 10_000; us += 100) {
      b.add(us * 1_000.0);
    }
    for (long ms : new long[]{12, 15, 20, 30, 50, 75, 100, 200, 500, 1_000, 5_000}) {
      b.add(ms * 1_000_000.0);
    }
    return b.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Override
  public Integer call() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    double[] slos = buckets();
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getName().equals(IngestMetrics.ADDED_LATENCY) || id.getName().equals(IngestMetrics.KAFKA_SEND_LATENCY)) {
          // One window for the whole run: the default rotates every 40 s and would drop counts mid-measurement.
          return DistributionStatisticConfig.builder().percentilesHistogram(false).serviceLevelObjectives(slos)
              .expiry(java.time.Duration.ofDays(1)).bufferLength(1).build().merge(config);
        }
        return config;
      }
    });
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    JsonObject config = new JsonObject()
        .put("ingest.rest-url", "http://" + exchange)
        .put("ingest.ws-url", "ws://" + exchange)
        .put("ingest.admin-port", -1)
        .put("kafka.bootstrap-servers", new JsonArray().add(kafka))
        .put("topic.name", topic)
        .put("topic.partitions", 12);
    for (String kv : settings) {
      int eq = kv.indexOf('=');
      config.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    IngestVerticle ingest = new IngestVerticle(registry);
    vertx.deployVerticle(ingest, new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!ingest.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    if (!ingest.isReady()) {
      System.err.println("ingest not ready after 60 s");
      return 1;
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
    Snapshot start = snapshot(registry);
    Thread.sleep(TimeUnit.SECONDS.toMillis(durationSeconds));
    Snapshot end = snapshot(registry);
    vertx.close().await(30, TimeUnit.SECONDS);

    double seconds = (end.nanos - start.nanos) / 1e9;
    double framesPerSecond = (end.frames - start.frames) / seconds;
    double ackedPerSecond = (end.acked - start.acked) / seconds;
    double cores = (end.cpuNanos - start.cpuNanos) / (double) (end.nanos - start.nanos);
    long[] delta = deltas(start.latency, end.latency);
    long samples = (long) (end.latencyCount - start.latencyCount);
    long[] kafkaDelta = deltas(start.kafka, end.kafka);
    long kafkaSamples = (long) (end.kafkaCount - start.kafkaCount);
    JsonObject result = new JsonObject()
        .put("label", label)
        .put("seconds", round(seconds))
        .put("framesPerSecond", Math.round(framesPerSecond))
        .put("ackedPerSecond", Math.round(ackedPerSecond))
        .put("conflated", (long) (end.conflated - start.conflated))
        .put("cpuCores", round(cores))
        .put("cpuMicrosPerTick", round(cores * 1e6 / Math.max(1, ackedPerSecond)))
        .put("p50Micros", percentile(end.latency, delta, samples, 0.50))
        .put("p99Micros", percentile(end.latency, delta, samples, 0.99))
        .put("p999Micros", percentile(end.latency, delta, samples, 0.999))
        .put("maxBucketMicros", percentile(end.latency, delta, samples, 1.0))
        .put("kafkaP50Micros", percentile(end.kafka, kafkaDelta, kafkaSamples, 0.50))
        .put("kafkaP99Micros", percentile(end.kafka, kafkaDelta, kafkaSamples, 0.99));
    System.out.println("RESULT " + result.encode());
    return 0;
  }

  /** Per-bucket counts in the window as "at or below this bound", whatever form the registry reports. */
  private static long[] deltas(CountAtBucket[] start, CountAtBucket[] end) {
    long[] delta = new long[end.length];
    boolean cumulative = true;
    for (int i = 0; i < delta.length; i++) {
      delta[i] = (long) (end[i].count() - start[i].count());
      cumulative &= i == 0 || end[i].count() >= end[i - 1].count();
    }
    if (!cumulative) {
      for (int i = 1; i < delta.length; i++) {
        delta[i] += delta[i - 1];
      }
    }
    return delta;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** Upper bound (µs) of the first bucket holding the {@code q} quantile; -1 if beyond the last bucket. */
  private static long percentile(CountAtBucket[] buckets, long[] delta, long samples, double q) {
    long rank = (long) Math.ceil(q * samples);
    for (int i = 0; i < buckets.length; i++) {
      if (delta[i] >= rank) {
        return Math.round(buckets[i].bucket(TimeUnit.MICROSECONDS));
      }
    }
    return -1;
  }

  private record Snapshot(long nanos, long cpuNanos, double frames, double acked, double conflated,
                          CountAtBucket[] latency, double latencyCount, CountAtBucket[] kafka, double kafkaCount) {
  }

  private static Snapshot snapshot(SimpleMeterRegistry registry) {
    var histogram = registry.get(IngestMetrics.ADDED_LATENCY).timer().takeSnapshot();
    var kafka = registry.get(IngestMetrics.KAFKA_SEND_LATENCY).timer().takeSnapshot();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return new Snapshot(System.nanoTime(), os.getProcessCpuTime(),
        sum(registry, IngestMetrics.FRAMES_IN), sum(registry, IngestMetrics.TICKS_ACKED),
        Search.in(registry).name(IngestMetrics.DROPS).tag("reason", "conflated").counters().stream().mapToDouble(Counter::count).sum(),
        histogram.histogramCounts(), histogram.count(), kafka.histogramCounts(), kafka.count());
  }

  private static double sum(SimpleMeterRegistry registry, String name) {
    return Search.in(registry).name(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  static String format(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
