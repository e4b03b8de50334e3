package io.tickstream.fanout.impl.session;

import io.tickstream.fanout.impl.source.EncodedTick;

/**
 * One symbol as seen by one event loop: its latest tick (the snapshot sent on subscribe) and the
 * subscriptions of this loop's connections. A plain array with swap-remove: adding and removing a
 * subscriber is O(1), iterating is a linear scan. Event-loop confined.
 */
public final class SymbolSlot {

  private static final Subscription[] NONE = new Subscription[0];

  public final String symbol;
  public EncodedTick latest;
  /** While delisted ({@link #latest} null after a tombstone): the {@code u} it was delisted with, else MIN_VALUE. */
  public long delistedU = Long.MIN_VALUE;
  public Subscription[] subscribers = NONE;
  public int size;

  public SymbolSlot(String symbol) {
    this.symbol = symbol;
  }

  public void add(Subscription s) {
    if (size == subscribers.length) {
      subscribers = java.util.Arrays.copyOf(subscribers, Math.max(4, size * 2));
    }
    s.index = size;
    subscribers[size++] = s;
  }

  public void remove(Subscription s) {
    int i = s.index;
    if (i < 0 || i >= size || subscribers[i] != s) {
      return;
    }
    Subscription last = subscribers[--size];
    subscribers[i] = last;
    last.index = i;
    subscribers[size] = null;
    s.index = -1;
  }
}
