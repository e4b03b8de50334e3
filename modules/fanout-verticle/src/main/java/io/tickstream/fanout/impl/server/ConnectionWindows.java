package io.tickstream.fanout.impl.server;

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
 * <p>Memory is bounded and the limit never switches off. At most {@code maxAddresses} address windows (about 100 bytes
 * each) are kept; expired windows are dropped by {@link #evictExpired}, which the node runs off the event loops. When the
 * table is full of live windows (an attacker with very many addresses), a new address is counted in the window of its
 * network instead, with a limit of its own ({@code fanout.connections-per-network}): an IPv4 /24 or an IPv6 /48, in a
 * second table of at most {@code maxAddresses} windows. When that one is full too, in the window of its wide network,
 * an IPv4 /16 or an IPv6 /32 (hashed into 65,536 buckets), a table whose size its keys bound: at most 131,072 windows.
 * So an address is always counted somewhere ({@link Level}); an attacker who fills the tables shares the coarse
 * buckets' limits with the newcomers of his networks, and cannot lock out those of others. Neither refusing every new
 * address nor admitting it uncounted would be right: the first locks every newcomer out, the second switches the limit
 * off for exactly the attacker who filled the table.
 *
 * <p>Threading: any thread. {@link ConcurrentHashMap#compute} makes each key's check-and-count atomic and only locks that
 * key's bin, so the loops never wait for each other beyond one map update. The capacity check may let a table grow a few
 * windows past {@code maxAddresses} when loops race, never more than one per loop.
 */
final class ConnectionWindows {

  /** Where a connection was counted: its address, its network, or its wide network. */
  enum Level {
    ADDRESS("address", 32, 64), NETWORK("network", 24, 48), WIDE("wide", 16, 32);

    /** The {@code level} tag of the admission meters. */
    final String tag;
    final int v4Bits;
    final int v6Bits;

    Level(String tag, int v4Bits, int v6Bits) {
      this.tag = tag;
      this.v4Bits = v4Bits;
      this.v6Bits = v6Bits;
    }
  }

  /** What {@link #tryAcquire} decided, and at which level. */
  record Verdict(boolean admitted, Level level) {
    private static final Verdict[] ALL = new Verdict[Level.values().length * 2];

    static {
      for (Level l : Level.values()) {
        ALL[l.ordinal() * 2] = new Verdict(true, l);
        ALL[l.ordinal() * 2 + 1] = new Verdict(false, l);
      }
    }

    static Verdict of(boolean admitted, Level level) {
      return ALL[level.ordinal() * 2 + (admitted ? 0 : 1)];
    }
  }

  /** Buckets of the wide level per family: a power of two, so a hash is masked into it. */
  static final int WIDE_BUCKETS = 1 << 16;

  private static final class Window {
    final long startNanos;
    /** Written inside the map's compute (one writer at a time), read by {@link Table#wouldRefuse} without it. */
    volatile int count;

    Window(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  /** One level: windows by key, for each family, with one limit and one capacity. */
  private final class Table {
    final Level level;
    final int limit;
    /** Past it a new key is not given a window here; {@link Integer#MAX_VALUE} for the wide level (its keys bound it). */
    final long capacity;
    final ConcurrentHashMap<Long, Window> v4 = new ConcurrentHashMap<>();
    final ConcurrentHashMap<Long, Window> v6 = new ConcurrentHashMap<>();
    /** Windows in both maps; kept beside them because {@code mappingCount()} sums cells on every call. */
    final AtomicLong size = new AtomicLong();

    Table(Level level, int limit, long capacity) {
      this.level = level;
      this.limit = limit;
      this.capacity = capacity;
    }

    /** Counts one connection; null if the key has no window and the table is full. */
    Verdict tryAcquire(byte[] address, long nowNanos) {
      Verdict[] verdict = {null};
      map(address).compute(key(address), (k, w) -> {
        if (w == null || nowNanos - w.startNanos >= windowNanos) {
          if (w == null) {
            if (size.get() >= capacity) {
              return null;
            }
            size.incrementAndGet();
          }
          w = new Window(nowNanos);
        }
        if (w.count >= limit) {
          verdict[0] = Verdict.of(false, level);
        } else {
          w.count++;
          verdict[0] = Verdict.of(true, level);
        }
        return w;
      });
      return verdict[0];
    }

    /** True or false if this level would decide the next connection of {@code address}; null if it would pass it on. */
    Boolean wouldRefuse(byte[] address, long nowNanos) {
      Window w = map(address).get(key(address));
      if (w != null) {
        return nowNanos - w.startNanos < windowNanos && w.count >= limit;
      }
      return size.get() >= capacity ? null : Boolean.FALSE;
    }

    ConcurrentHashMap<Long, Window> map(byte[] address) {
      return address.length == 4 ? v4 : v6;
    }

    Long key(byte[] address) {
      if (address.length == 4) {
        return prefix(address, level.v4Bits);
      }
      long p = prefix(address, level.v6Bits);
      // The wide level's IPv6 keys are hashed into a fixed number of buckets: 2^32 /32s would not fit.
      return level == Level.WIDE ? (p * 0x9E3779B97F4A7C15L) >>> (64 - Integer.numberOfTrailingZeros(WIDE_BUCKETS)) : p;
    }

    void evict(long nowNanos) {
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
  }

  private final long windowNanos;
  private final Table[] tables;

  /**
   * @param limit connections per address per window
   * @param networkLimit connections per network (and per wide network) per window, for addresses past a full table
   * @param maxAddresses windows kept per table of addresses and of networks
   */
  ConnectionWindows(int limit, int networkLimit, long windowNanos, int maxAddresses) {
    this.windowNanos = windowNanos;
    this.tables = new Table[] {new Table(Level.ADDRESS, limit, maxAddresses),
        new Table(Level.NETWORK, networkLimit, maxAddresses), new Table(Level.WIDE, networkLimit, Integer.MAX_VALUE)};
  }

  /** Counts one connection of {@code address} (4 or 16 bytes) at {@code nowNanos}, at the finest level with room. */
  Verdict tryAcquire(byte[] address, long nowNanos) {
    for (Table t : tables) {
      Verdict v = t.tryAcquire(address, nowNanos);
      if (v != null) {
        return v;
      }
    }
    throw new IllegalStateException("the wide level always has room");
  }

  /**
   * The level at which {@link #tryAcquire} would refuse {@code address} now, or null if it would admit it. Counts
   * nothing: the node asks before it upgrades a request that will open a session, and counts the session where it is
   * created.
   */
  Level refusingLevel(byte[] address, long nowNanos) {
    for (Table t : tables) {
      Boolean r = t.wouldRefuse(address, nowNanos);
      if (r != null) {
        return r ? t.level : null;
      }
    }
    return null;
  }

  /** Drops every window that ended before {@code nowNanos}; O(windows), so run it off the event loops. */
  void evictExpired(long nowNanos) {
    for (Table t : tables) {
      t.evict(nowNanos);
    }
  }

  /** Windows kept at {@code level} (live or not yet evicted). */
  long size(Level level) {
    return tables[level.ordinal()].size.get();
  }

  /** The key of an address at {@link Level#ADDRESS}: an IPv4 address's 32 bits, an IPv6 address's /64. */
  static long addressKey(byte[] address) {
    return prefix(address, address.length == 4 ? Level.ADDRESS.v4Bits : Level.ADDRESS.v6Bits);
  }

  /** The first {@code bits} bits of an address, as a number. */
  private static long prefix(byte[] a, int bits) {
    long k = 0;
    for (int i = 0; i < bits / 8; i++) {
      k = (k << 8) | (a[i] & 0xFF);
    }
    return k;
  }
}
