package io.tickstream.fanout.impl;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code fanout.connections-per-ip}: how many connections each client address opened in its current window, one table
 * per node shared by all its event loops.
 *
 * <p>Keys: an IPv4 address, or the /64 an IPv6 address is in (one subscriber's LAN gets a /64, so counting single IPv6
 * addresses would give every client 2^64 budgets). A window starts with an address's first connection and lasts
 * {@code fanout.connections-per-ip-window}: a fixed window per address, so within any span of one window an address opens
 * at most twice the limit (at the end of one window and the start of the next), and the count needs no history.
 *
 * <p>Memory is bounded: at most {@code maxAddresses} windows (about 100 bytes each); expired windows are dropped by
 * {@link #evictExpired}, which the node runs off the event loops. When the table is full of live windows, a new address is
 * admitted without one (counted by the caller): refusing it instead would let an attacker with many addresses lock
 * every newcomer out of the node, while {@code fanout.max-connections} still bounds what the attacker gets.
 *
 * <p>Threading: any thread. {@link ConcurrentHashMap#compute} makes each address's check-and-count atomic and only
 * locks that key's bin, so the loops never wait for each other beyond one map update.
 */
final class ConnectionWindows {

  /** What {@link #tryAcquire} decided. */
  enum Verdict { ADMITTED, REFUSED, UNTRACKED }

  private static final class Window {
    final long startNanos;
    int count;

    Window(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  private final int limit;
  private final long windowNanos;
  private final int maxAddresses;
  private final ConcurrentHashMap<Long, Window> v4 = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Window> v6 = new ConcurrentHashMap<>();
  /** Windows in both maps; kept beside them because {@code mappingCount()} sums cells on every call. */
  private final AtomicLong size = new AtomicLong();

  ConnectionWindows(int limit, long windowNanos, int maxAddresses) {
    this.limit = limit;
    this.windowNanos = windowNanos;
    this.maxAddresses = maxAddresses;
  }

  /** Counts one connection of {@code address} (4 or 16 bytes) at {@code nowNanos}; REFUSED past the limit. */
  Verdict tryAcquire(byte[] address, long nowNanos) {
    ConcurrentHashMap<Long, Window> map = address.length == 4 ? v4 : v6;
    Long key = key(address);
    Verdict[] verdict = {Verdict.ADMITTED};
    map.compute(key, (k, w) -> {
      if (w == null || nowNanos - w.startNanos >= windowNanos) {
        if (w == null && size.get() >= maxAddresses) {
          verdict[0] = Verdict.UNTRACKED;
          return null;
        }
        if (w == null) {
          size.incrementAndGet();
        }
        w = new Window(nowNanos);
      }
      if (w.count >= limit) {
        verdict[0] = Verdict.REFUSED;
      } else {
        w.count++;
      }
      return w;
    });
    return verdict[0];
  }

  /** Drops every window that ended before {@code nowNanos}; O(windows), so run it off the event loops. */
  void evictExpired(long nowNanos) {
    evict(v4, nowNanos);
    evict(v6, nowNanos);
  }

  private void evict(ConcurrentHashMap<Long, Window> map, long nowNanos) {
    for (Long key : map.keySet()) {
      map.computeIfPresent(key, (k, w) -> {
        if (nowNanos - w.startNanos >= windowNanos) {
          size.decrementAndGet();
          return null;
        }
        return w;
      });
    }
  }

  /** Addresses with a window (live or not yet evicted). */
  long size() {
    return size.get();
  }

  /** An IPv4 address as its 32 bits; an IPv6 address as its first 64 (its /64). */
  private static Long key(byte[] a) {
    long k = 0;
    int n = a.length == 4 ? 4 : 8;
    for (int i = 0; i < n; i++) {
      k = (k << 8) | (a[i] & 0xFF);
    }
    return k;
  }
}
