package io.tickstream.simulator.impl;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Binance's "300 connection attempts per 5 minutes per IP", as a sliding window of admitted attempts.
 * Refused attempts are not recorded, so a client that backs off gets in again once the window has moved.
 *
 * <p><b>Threading:</b> confined to the simulator's context.
 */
final class ConnectionAttemptLimiter {

  private final int maxAttempts;
  private final long windowNanos;
  private final Map<String, ArrayDeque<Long>> attempts = new HashMap<>();

  ConnectionAttemptLimiter(int maxAttempts, long windowNanos) {
    this.maxAttempts = maxAttempts;
    this.windowNanos = windowNanos;
  }

  /**
   * Records an attempt from {@code host} if allowed.
   *
   * @return 0 if admitted, otherwise the whole seconds until one more attempt will be (at least 1)
   */
  long tryAcquire(String host, long now) {
    ArrayDeque<Long> times = attempts.computeIfAbsent(host, h -> new ArrayDeque<>());
    while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
      times.pollFirst();
    }
    if (times.size() >= maxAttempts) {
      long waitNanos = windowNanos - (now - times.peekFirst());
      return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }
    times.addLast(now);
    return 0;
  }

  /** Forgets hosts whose attempts have all left the window. */
  void purge(long now) {
    for (Iterator<ArrayDeque<Long>> it = attempts.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Long> times = it.next();
      if (times.isEmpty() || now - times.peekLast() >= windowNanos) {
        it.remove();
      }
    }
  }
}
