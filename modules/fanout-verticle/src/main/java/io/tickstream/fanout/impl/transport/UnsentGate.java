package io.tickstream.fanout.impl.transport;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.AttributeKey;

/**
 * A connection's bound on what waits for its client in the node's queue and in its socket, unsent, read from the
 * kernel ({@link TcpUnsentBytes}) instead of left to {@code TCP_NOTSENT_LOWAT}.
 *
 * <p>Two limits. Every WebSocket (raw, or SockJS's websocket transport) on a native transport gets
 * {@code fanout.tcp-notsent-lowat} plus its queue ({@link #base}): what the kernel option would allow; so does each
 * connection of SockJS's streaming transports ({@link SockJSStreams}). (The polling transports keep the kernel option.) A slow client gets what {@link SlowLinkFit} measured
 * ({@link #limit}): about 100 ms of its bandwidth. Why not the kernel option: with it, a client on loopback whose
 * receive window had closed under load (two cores, 2,000 clients) was sometimes not reported writable again for 13-17
 * s, every tick it then got that stale (p99; p50 0.2 s), and without it never; and Linux lets unsent data pass it by up
 * to a segment (64 KB: seconds on a slow link). The price: no event says when the kernel has sent, so a sender held
 * here looks again by timer ({@link SlowLinkFit#recheckMillis}). docs/benchmarks.md, "Slow links", has the numbers.
 *
 * <p>Cheap on purpose: reading the kernel's count is a system call, and a sink is asked whether it is writable for
 * every tick. So the gate keeps an upper bound, {@code bound}: the queued and unsent bytes at the last read, plus every
 * byte written since (the kernel only ever sends, so the true amount can only be lower). While that bound is under the
 * limit the answer needs no read; only once it reaches the limit is the kernel asked again, about once per limit's
 * worth of bytes written.
 *
 * <p>Threading: the sink's; not thread-safe.
 */
public final class UnsentGate {

  /** {@code fanout.tcp-notsent-lowat}, on a channel whose gate may take over from the kernel option. */
  private static final AttributeKey<Integer> NOT_SENT_LOW_AT = AttributeKey.valueOf("tickstream.notSentLowAt");

  /** The limit for a connection that keeps up; 0: none. */
  private int base;
  /** The limit now: {@link #base}, or a slow client's fit. */
  private int limit;
  private long bound;

  /** Offers {@code fanout.tcp-notsent-lowat} to a gate on {@code channel}, if the node can read its unsent bytes. */
  public static void offer(Channel channel, long notSentLowAt) {
    if (notSentLowAt > 0 && TcpUnsentBytes.available() && channel instanceof UnixChannel) {
      channel.attr(NOT_SENT_LOW_AT).set((int) Math.min(notSentLowAt, Integer.MAX_VALUE / 2));
    }
  }

  /**
   * The limit for a connection that keeps up: {@link #offer}'s bound plus {@code queueBytes}, which then replaces the
   * kernel option on {@code channel}; if none was offered, the kernel option stays and so does this gate's absence.
   */
  void base(Channel channel, int queueBytes) {
    Integer lowAt = channel.attr(NOT_SENT_LOW_AT).get();
    if (lowAt != null) {
      UnsentBytesBound.clear(channel);
    }
    base = lowAt == null ? 0 : lowAt + queueBytes;
    limit = base;
    bound = 0;
  }

  /** A slow client's fit: the node's queue and the socket's unsent bytes together; 0 goes back to {@link #base}. */
  void limit(int bytes) {
    limit = bytes > 0 && TcpUnsentBytes.available() ? bytes : base;
    bound = 0;
  }

  boolean limited() {
    return limit != 0;
  }

  /** {@code bytes} were written towards the socket. */
  void wrote(long bytes) {
    if (limit != 0) {
      bound += bytes;
    }
  }

  /** True if under the limit by the bound alone: no need to ask the kernel (the common case, on every tick). */
  boolean open() {
    return limit == 0 || bound < limit;
  }

  /** True if under the limit after asking the kernel: when {@link #open()} said no. */
  boolean openAsking(Channel channel, long queuedBytes) {
    return refresh(channel, queuedBytes) < limit;
  }

  /** How far over the limit the queue and unsent bytes are now (0 if not over), asking the kernel. */
  long excess(Channel channel, long queuedBytes) {
    return Math.max(0, refresh(channel, queuedBytes) - limit);
  }

  private long refresh(Channel channel, long queuedBytes) {
    long unsent = TcpUnsentBytes.of(channel);
    // Unknown (the channel closed, the call failed): open, and asked again a limit's worth of bytes later.
    bound = unsent < 0 ? 0 : unsent + queuedBytes;
    return bound;
  }
}
