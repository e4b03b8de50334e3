package io.tickstream.fanout.impl;

/**
 * One symbol as seen by one event loop: its latest tick (the snapshot sent on subscribe) and the
 * subscriptions of this loop's connections. A plain array with swap-remove: adding and removing a
 * subscriber is O(1), iterating is a linear scan. Event-loop confined.
 */
final class SymbolSlot {

  private static final Subscription[] NONE = new Subscription[0];

  final String symbol;
  EncodedTick latest;
  /** While delisted ({@link #latest} null after a tombstone): the {@code u} it was delisted with, else MIN_VALUE. */
  long delistedU = Long.MIN_VALUE;
  Subscription[] subscribers = NONE;
  int size;

  SymbolSlot(String symbol) {
    this.symbol = symbol;
  }

  void add(Subscription s) {
    if (size == subscribers.length) {
      subscribers = java.util.Arrays.copyOf(subscribers, Math.max(4, size * 2));
    }
    s.index = size;
    subscribers[size++] = s;
  }

  void remove(Subscription s) {
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
