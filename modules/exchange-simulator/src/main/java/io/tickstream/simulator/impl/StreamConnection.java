package io.tickstream.simulator.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.tickstream.simulator.SimulatorFaults.MalformedFrame;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One client WebSocket and everything the exchange tracks about it: subscriptions, framing, the incoming
 * message window, ping/pong bookkeeping, lifetime and injected faults.
 *
 * <p>Ticks are written straight to the Netty channel as pre-encoded frames and flushed once per generator
 * firing ({@link #write}, {@link #flush}): a flush is a syscall, and one per tick per connection is what
 * would make 100k ticks/s impossible on two cores.
 *
 * <p><b>Threading:</b> confined to the simulator's context. The HTTP server runs on that same context (one
 * verticle instance), so the channel's event loop is the calling thread and writes need no hand-off.
 */
final class StreamConnection {

  final long id;
  final ServerWebSocket ws;
  final String remoteHost;
  final boolean microseconds;
  private final ChannelHandlerContext ctx;

  /** Canonical stream name -> upper-case symbol, in subscription order (LIST_SUBSCRIPTIONS order). */
  final Map<String, String> subscriptions = new LinkedHashMap<>();
  boolean combined;

  final long openedAtNanos;
  boolean stalled;
  boolean closing;
  boolean dirty;

  long nextPingAtNanos;
  long pingSeq;
  long lastPongOkNanos;
  private long ackedPingSeq;

  private final long[] recentMessages;
  private int recentNext;
  private final ArrayDeque<MalformedFrame> pendingMalformed = new ArrayDeque<>();

  StreamConnection(long id, ServerWebSocket ws, String remoteHost, boolean combined, boolean microseconds,
                   long nowNanos, long pingIntervalNanos, int maxMessagesPerSecond) {
    this.id = id;
    this.ws = ws;
    this.remoteHost = remoteHost;
    this.combined = combined;
    this.microseconds = microseconds;
    this.ctx = ((WebSocketInternal) ws).channelHandlerContext();
    this.openedAtNanos = nowNanos;
    this.nextPingAtNanos = nowNanos + pingIntervalNanos;
    this.lastPongOkNanos = nowNanos;
    this.recentMessages = new long[maxMessagesPerSecond];
    Arrays.fill(recentMessages, Long.MIN_VALUE / 2);
  }

  /**
   * Records one incoming message (text, binary, ping or pong frame).
   *
   * @return false if it is one more than allowed within the last second
   */
  boolean admitIncoming(long nowNanos) {
    long oldest = recentMessages[recentNext];
    if (nowNanos - oldest < 1_000_000_000L) {
      return false;
    }
    recentMessages[recentNext] = nowNanos;
    recentNext = (recentNext + 1) % recentMessages.length;
    return true;
  }

  /** Payload of the next server ping: its sequence number in ASCII, so a pong can be matched to it. */
  String nextPingPayload() {
    return Long.toString(++pingSeq);
  }

  /** A pong counts only if it echoes a ping sent and not yet acknowledged. */
  boolean acceptPong(String payload, long nowNanos) {
    long seq;
    try {
      seq = Long.parseLong(payload);
    } catch (NumberFormatException e) {
      return false;
    }
    if (seq <= ackedPingSeq || seq > pingSeq) {
      return false;
    }
    ackedPingSeq = seq;
    lastPongOkNanos = nowNanos;
    return true;
  }

  boolean writable() {
    return !closing && ctx.channel().isActive();
  }

  /** Queues a shared frame (retained here); the caller flushes. */
  void write(ByteBuf sharedFrame) {
    ctx.write(sharedFrame.retainedDuplicate(), ctx.voidPromise());
  }

  /** Writes one frame and flushes at once: control replies and events. */
  void sendNow(String text) {
    if (writable()) {
      ctx.writeAndFlush(TextFrames.text(text), ctx.voidPromise());
    }
  }

  void flush() {
    dirty = false;
    if (ctx.channel().isActive()) {
      ctx.flush();
    }
  }

  /** Bytes written but not yet accepted by the socket. */
  long pendingBytes() {
    ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
    return out == null ? 0 : out.totalPendingWriteBytes();
  }

  /** Closes with a close frame. */
  void close(int code, String reason) {
    if (!closing) {
      closing = true;
      ws.close((short) code, reason);
    }
  }

  /** Closes the TCP connection without a close frame, as a network failure or a crashed server would. */
  void abort() {
    closing = true;
    // From this context, not the channel: the close then skips Vert.x's own handler, which would turn it
    // into a graceful close with a close frame.
    ctx.close();
  }

  void addMalformed(MalformedFrame kind, int count) {
    for (int i = 0; i < count; i++) {
      pendingMalformed.add(kind);
    }
  }

  /** The next injected fault to interleave after a tick, or null. */
  MalformedFrame pollMalformed() {
    return pendingMalformed.poll();
  }
}
