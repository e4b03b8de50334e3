package io.tickstream.ingest.impl;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: attempt n waits a uniformly random time in
 * [0, min(max, base * 2^n)]. Full jitter spreads the reconnects of many connections (and many ingest
 * processes) dropped by the same exchange event, instead of having them return in lock step.
 *
 * <p>Not thread-safe: one per connection chunk, used on its context.
 */
public final class Backoff {

  private final long baseMillis;
  private final long maxMillis;
  private int attempts;

  public Backoff(Duration base, Duration max) {
    this.baseMillis = Math.max(1, base.toMillis());
    this.maxMillis = Math.max(baseMillis, max.toMillis());
  }

  /** The delay before the next attempt, in milliseconds; counts the attempt. */
  public long nextDelayMillis() {
    long ceiling = ceilingMillis(attempts);
    attempts = Math.min(attempts + 1, 62);
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  /** The upper bound of the delay for attempt {@code n} (0-based). */
  long ceilingMillis(int n) {
    if (n >= 62 || baseMillis << n <= 0 || baseMillis << n > maxMillis) {
      return maxMillis;
    }
    return baseMillis << n;
  }

  /** Forget failures: the connection has streamed again. */
  public void reset() {
    attempts = 0;
  }

  public int attempts() {
    return attempts;
  }
}
