package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.tickstream.fanout.impl.metrics.SendCounters;

/**
 * Bounds the bytes the node holds for one WebSocket: everything queued in its channel's outbound buffer (ticks,
 * control replies, errors, notices, pings, pongs), never more than {@code fanout.max-outbound-bytes}.
 *
 * <p>Why this is enough: ticks are only written while the channel is writable, that is below
 * {@code fanout.write-queue-bytes}, and conflated above it ({@link io.tickstream.fanout.impl.session.ConflatingSender}), so they never pass the write
 * queue by more than one frame; the cap is at least twice that. What is not conflated is what a client asks for:
 * replies, errors, pongs. Before each such frame is written, {@link #fits} checks that it leaves the connection within
 * the cap; a frame that does not fit is not written, and the session closes the client (1008, counted as
 * {@link io.tickstream.fanout.impl.metrics.ClientClose#OUTBOUND_CAP}). The close frame itself (at most 127 bytes) is the one frame allowed past it.
 *
 * <p>What is counted: Netty's own account of the channel's pending bytes
 * ({@link ChannelOutboundBuffer#totalPendingWriteBytes()}), which adds a per-message overhead
 * ({@value #ENTRY_OVERHEAD_PROPERTY}, 96 bytes by default) for the entry that holds it: a flood of 10-byte pongs costs
 * the heap ten times its payload, and is counted so. Both WebSocket transports write every frame of theirs below
 * Vert.x's own write queue, straight into this buffer, so nothing they send escapes the count (the close frame on the
 * {@code vertx} transport goes through Vert.x, once).
 *
 * <p>The WebSocket sinks write their control frames through {@link #writeText}, {@link #writePing} and
 * {@link #writePong}, so the check and the write cannot drift apart between the two transports.
 *
 * <p>Threading: the channel's event loop, like the sink that owns it. Allocation: none beyond the frame written.
 */
final class OutboundBudget {

  private static final String ENTRY_OVERHEAD_PROPERTY = "io.netty.transport.outboundBufferEntrySizeOverhead";
  /** What Netty adds to each message's size in {@link ChannelOutboundBuffer}: read the way Netty reads it. */
  static final int ENTRY_OVERHEAD = Math.max(0, Integer.getInteger(ENTRY_OVERHEAD_PROPERTY, 96));

  private final Channel channel;
  private final int maxBytes;
  private final SendCounters counters;

  OutboundBudget(Channel channel, int maxBytes, SendCounters counters) {
    this.channel = channel;
    this.maxBytes = maxBytes;
    this.counters = counters;
  }

  /** Bytes queued in the node for this connection now (0 once the channel is closed). */
  long heldBytes() {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  /**
   * True if a frame of {@code frameBytes} may be queued without passing the cap. Records the peak: what the connection
   * will hold once the frame is queued (before the flush sends any of it), or what it holds now if the frame is refused.
   */
  boolean fits(int frameBytes) {
    long held = heldBytes();
    long after = held + frameBytes + ENTRY_OVERHEAD;
    boolean fits = after <= maxBytes;
    recordPeak(fits ? after : held);
    return fits;
  }

  /** After a control frame was written (and possibly partly flushed): the connection's bytes now, for the peak. */
  void written() {
    recordPeak(heldBytes());
  }

  /** Writes and flushes a text frame of {@code json} at {@code ctx} if it fits the cap; false, nothing written, if not. */
  boolean writeText(ChannelHandlerContext ctx, String json) {
    if (!fits(ControlFrames.textFrameBytes(ByteBufUtil.utf8Bytes(json)))) {
      return false;
    }
    ctx.writeAndFlush(ControlFrames.text(ctx.alloc(), json), ctx.voidPromise());
    written();
    return true;
  }

  /** Writes and flushes a ping carrying {@code payload} at {@code ctx} if it fits the cap. */
  boolean writePing(ChannelHandlerContext ctx, long payload) {
    if (!fits(ControlFrames.PING_FRAME_BYTES)) {
      return false;
    }
    ctx.writeAndFlush(ControlFrames.ping(ctx.alloc(), payload), ctx.voidPromise());
    written();
    return true;
  }

  /** Writes and flushes a pong echoing {@code payload} (not released here) at {@code ctx} if it fits the cap. */
  boolean writePong(ChannelHandlerContext ctx, ByteBuf payload) {
    if (!fits(2 + payload.readableBytes())) {
      return false;
    }
    ctx.writeAndFlush(ControlFrames.pong(ctx.alloc(), payload), ctx.voidPromise());
    written();
    return true;
  }

  private void recordPeak(long held) {
    if (held > counters.outboundPeakBytes) {
      counters.outboundPeakBytes = held;
    }
  }
}
