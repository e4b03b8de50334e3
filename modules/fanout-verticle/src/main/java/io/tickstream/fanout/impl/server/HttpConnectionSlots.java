package io.tickstream.fanout.impl.server;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code fanout.http-connections-per-ip}: how many plain HTTP connections (accepted, not yet upgraded to a WebSocket, not
 * yet closed) each client address holds at once on this node. Without it one host could open tens of thousands of
 * keep-alive sockets to the board or to {@code /sockjs/info} and run the node out of file descriptors, which the per-IP
 * window (upgrades and sessions only) and the timeouts (one socket's life only) do not prevent.
 *
 * <p>Keys as in {@link ConnectionWindows}: an IPv4 address, an IPv6 /64. Memory: one entry per address that holds a
 * connection now, so the table is bounded by the node's open connections and empties as they close.
 *
 * <p>Threading: any thread; each address's check-and-count is one {@link ConcurrentHashMap#compute}.
 */
final class HttpConnectionSlots {

  private final int limit;
  private final ConcurrentHashMap<Long, int[]> v4 = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, int[]> v6 = new ConcurrentHashMap<>();

  HttpConnectionSlots(int limit) {
    this.limit = limit;
  }

  /** Takes one of {@code address}'s slots; false if it holds them all. */
  boolean tryAcquire(byte[] address) {
    boolean[] taken = {false};
    map(address).compute(key(address), (k, n) -> {
      int[] count = n == null ? new int[1] : n;
      if (count[0] < limit) {
        count[0]++;
        taken[0] = true;
      }
      return count[0] == 0 ? null : count;
    });
    return taken[0];
  }

  /** Gives one slot of {@code address} back (its connection closed or upgraded). */
  void release(byte[] address) {
    map(address).computeIfPresent(key(address), (k, count) -> --count[0] == 0 ? null : count);
  }

  /** Addresses holding at least one plain HTTP connection. */
  int addresses() {
    return v4.size() + v6.size();
  }

  private ConcurrentHashMap<Long, int[]> map(byte[] address) {
    return address.length == 4 ? v4 : v6;
  }

  private static Long key(byte[] address) {
    return ConnectionWindows.addressKey(address);
  }
}
