package io.tickstream.loadgen.impl;

import java.util.Arrays;

/**
 * The last {@code u} seen per subscribed symbol of one connection. The node conflates for a client that falls
 * behind: it skips intermediate ticks of a symbol and sends the newest. A jump in {@code u} greater than one is
 * that skip, and its size is the number of updates conflated away (this assumes {@code u} advances by one per
 * update of a symbol, as the exchange simulator does; Binance's own {@code u} jumps by more).
 *
 * <p>Not thread-safe: one connection, one event loop. Allocates nothing per update.
 */
public final class UpdateGapCounter {

  /** {@link #gap} result: the first tick of this symbol on this connection (the node's snapshot). */
  public static final long FIRST = -1;
  /** {@link #gap} result: {@code u} did not advance (a repeat or a regression, which the node must never send). */
  public static final long NOT_ADVANCED = -2;

  private final long[] last;

  public UpdateGapCounter(int symbols) {
    last = new long[symbols];
    Arrays.fill(last, Long.MIN_VALUE);
  }

  /**
   * Records {@code u} for symbol slot {@code slot}.
   *
   * @return the number of updates skipped since the previous one (0 when consecutive), {@link #FIRST} or
   *     {@link #NOT_ADVANCED}
   */
  public long gap(int slot, long u) {
    long prev = last[slot];
    if (prev == Long.MIN_VALUE) {
      last[slot] = u;
      return FIRST;
    }
    if (u <= prev) {
      return NOT_ADVANCED;
    }
    last[slot] = u;
    return u - prev - 1;
  }
}
