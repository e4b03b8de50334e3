package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickstream.common.tick.MalformedTickException;
import io.tickstream.ingest.IngestMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts and logs what the exchange sent that could not be used. Logging is rate-limited (one line per
 * {@link #LOG_INTERVAL_MILLIS} ms, with the number suppressed) so a flood of bad frames costs counters,
 * not a disk full of logs. Thread-safe.
 */
final class IngestDrops {

  private static final Logger log = LoggerFactory.getLogger(IngestDrops.class);
  static final long LOG_INTERVAL_MILLIS = 10_000;
  private static final int SAMPLE_CHARS = 200;

  private final EnumMap<MalformedTickException.Reason, Counter> malformed = new EnumMap<>(MalformedTickException.Reason.class);
  private final AtomicLong lastLog = new AtomicLong(-LOG_INTERVAL_MILLIS);
  private final AtomicLong suppressed = new AtomicLong();

  IngestDrops(MeterRegistry registry) {
    for (MalformedTickException.Reason r : MalformedTickException.Reason.values()) {
      malformed.put(r, registry.counter(IngestMetrics.DROPS, "reason", r.name().toLowerCase(Locale.ROOT).replace('_', '-')));
    }
  }

  void malformed(MalformedTickException e, Buffer frame) {
    malformed.get(e.reason()).increment();
    if (mayLog()) {
      String text = frame.length() > SAMPLE_CHARS ? frame.getString(0, SAMPLE_CHARS) + "..." : frame.toString();
      log.warn("Dropped exchange frame: {} ({} more dropped since the last line): {}", e.getMessage(), suppressed.getAndSet(0), text);
    }
  }

  void logControlError(int connection, JsonObject reply) {
    if (mayLog()) {
      log.warn("Exchange refused a control message on connection {}: {}", connection, reply.encode());
    }
  }

  void logConnectionError(int connection, Throwable e) {
    if (mayLog()) {
      log.warn("Exchange connection {} failed: {}", connection, e.toString());
    }
  }

  private boolean mayLog() {
    long now = System.nanoTime() / 1_000_000;
    long last = lastLog.get();
    if (now - last >= LOG_INTERVAL_MILLIS && lastLog.compareAndSet(last, now)) {
      return true;
    }
    suppressed.incrementAndGet();
    return false;
  }

  static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
