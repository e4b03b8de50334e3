package io.tickstream.fanout.impl.session;

import io.tickstream.common.stream.StreamName;
import io.tickstream.fanout.impl.source.EncodedTick;

import java.util.LinkedHashMap;

/**
 * One stream of one connection, and its conflation state. Owned by the connection's event loop.
 *
 * <p>A symbol stream keeps at most one pending tick; {@code !bookTicker} keeps at most one per symbol.
 * {@link #index} is this subscription's slot in the dispatcher's subscriber array, so removal is O(1).
 */
public final class Subscription {

  /** The connection's sender, which the dispatcher offers this subscription's ticks. */
  public final ConflatingSender sender;
  final StreamName stream;
  final int intervalMillis;
  /** The symbol's slot, or null for {@code !bookTicker}. */
  public final SymbolSlot slot;
  int index = -1;

  EncodedTick pending;
  /**
   * {@code !bookTicker}'s pending ticks by symbol, in the order each symbol fell behind (a newer tick replaces the
   * older in place): sent oldest first, so no symbol's view waits behind others that fell behind later.
   */
  LinkedHashMap<String, EncodedTick> pendingBySymbol;
  long lastSentMillis = Long.MIN_VALUE / 2;
  long timerId = -1;
  boolean queued;

  public Subscription(ConflatingSender sender, StreamName stream, SymbolSlot slot) {
    this.sender = sender;
    this.stream = stream;
    this.intervalMillis = stream.intervalMillis();
    this.slot = slot;
  }

  boolean hasPending() {
    return pending != null || (pendingBySymbol != null && !pendingBySymbol.isEmpty());
  }

  int pendingCount() {
    return (pending != null ? 1 : 0) + (pendingBySymbol == null ? 0 : pendingBySymbol.size());
  }
}
