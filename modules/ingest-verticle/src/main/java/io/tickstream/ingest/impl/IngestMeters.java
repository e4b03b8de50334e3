package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/** Meter construction shared by the ingest's parts, so every latency histogram has the same buckets. */
final class IngestMeters {

  private IngestMeters() {
  }

  /** A timer with a Prometheus histogram from 10 µs to 10 s, plus client-side p50/p99/p99.9 for logs. */
  static Timer latencyTimer(MeterRegistry registry, String name) {
    return Timer.builder(name)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .publishPercentiles(0.5, 0.99, 0.999)
        .register(registry);
  }
}
