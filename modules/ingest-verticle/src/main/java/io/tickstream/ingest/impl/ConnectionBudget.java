package io.tickstream.ingest.impl;

import java.util.ArrayDeque;

/**
 * The process-wide budget of connection attempts to the exchange: at most {@code limit} attempts in any
 * sliding {@code window}, and none at all before a time the exchange asked for ({@code Retry-After} on
 * HTTP 429 or 418). Binance bans an IP that opens more than 300 connections in 5 minutes, so every chunk's
 * reconnect goes through one budget.
 *
 * <p>Thread-safe: chunks on different event loops share it; the lock is held for a few instructions.
 */
public final class ConnectionBudget {

  private final int limit;
  private final long windowMillis;
  private final ArrayDeque<Long> attempts = new ArrayDeque<>();
  private long blockedUntil;

  public ConnectionBudget(int limit, long windowMillis) {
    this.limit = limit;
    this.windowMillis = windowMillis;
  }

  /**
   * Takes one attempt if the budget allows it now.
   *
   * @return 0 if the attempt may go ahead (and was counted), otherwise the milliseconds to wait before asking again
   */
  public synchronized long tryAcquire(long nowMillis) {
    if (nowMillis < blockedUntil) {
      return blockedUntil - nowMillis;
    }
    while (!attempts.isEmpty() && attempts.peekFirst() <= nowMillis - windowMillis) {
      attempts.pollFirst();
    }
    if (attempts.size() >= limit) {
      return attempts.peekFirst() + windowMillis - nowMillis;
    }
    attempts.addLast(nowMillis);
    return 0;
  }

  /** No attempt before {@code untilMillis}: the exchange said so (429/418 with Retry-After). */
  public synchronized void blockUntil(long untilMillis) {
    blockedUntil = Math.max(blockedUntil, untilMillis);
  }

  public synchronized int attemptsInWindow(long nowMillis) {
    while (!attempts.isEmpty() && attempts.peekFirst() <= nowMillis - windowMillis) {
      attempts.pollFirst();
    }
    return attempts.size();
  }
}
