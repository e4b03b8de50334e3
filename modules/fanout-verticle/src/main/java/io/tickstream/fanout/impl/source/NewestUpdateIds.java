package io.tickstream.fanout.impl.source;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest {@code u} per symbol this node has handed to its loops, from either source: Kafka's consumer thread and
 * the express lane's event loop both claim a tick here before they encode it, so of the two copies of a tick only
 * the first is encoded and published; the second is dropped as soon as its {@code u} is read from its bytes
 * ({@link io.tickstream.common.tick.RecordPeek}), before it is decoded.
 *
 * <p>Only a decoded tick is claimed, never a value merely read: a malformed record cannot leave a symbol here. The
 * Kafka consumer stays the owner of each symbol's own sequence (re-basing, tombstones: {@link TickSource}); a re-base
 * moves the symbol's entry back ({@link #rebase}). The loops still compare {@code u} themselves: two sources that
 * claim in one order may reach a loop in the other.
 *
 * <p>Thread-safe: one {@link AtomicLong} per symbol ever seen (bounded by the topic's symbols), claimed with a CAS.
 */
final class NewestUpdateIds {

  private final ConcurrentHashMap<String, AtomicLong> newest = new ConcurrentHashMap<>();

  /** True if a tick of {@code symbol} with {@code u} or a higher one was already handed to the loops. */
  boolean isLate(String symbol, long u) {
    AtomicLong n = newest.get(symbol);
    return n != null && u <= n.get();
  }

  /** Claims {@code u} for {@code symbol}: true if it is above the newest handed over (it now is the newest). */
  boolean claim(String symbol, long u) {
    AtomicLong n = newest.get(symbol);
    if (n == null) {
      n = newest.putIfAbsent(symbol, new AtomicLong(u));
      if (n == null) {
        return true;
      }
    }
    for (long current = n.get(); u > current; current = n.get()) {
      if (n.compareAndSet(current, u)) {
        return true;
      }
    }
    return false;
  }

  /** The Kafka consumer re-based {@code symbol} onto {@code u} (or listed it in its snapshot): {@code u} is newest now. */
  void rebase(String symbol, long u) {
    AtomicLong n = newest.get(symbol);
    if (n == null) {
      n = newest.putIfAbsent(symbol, new AtomicLong(u));
    }
    if (n != null) {
      n.set(u);
    }
  }
}
