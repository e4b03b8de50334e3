package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.tickstream.fanout.impl.metrics.SendCounters;

/**
 * What both WebSocket transports share: every frame is written at one Netty handler context ({@code ctx}), shared
 * tick frames as they are and control replies, pings and pongs within the connection's {@link OutboundBudget}, and
 * nothing after a close frame (RFC 6455 5.5.1). The subclasses differ only in how they close: {@link ChannelWebSocketSink}
 * on the node's own pipeline, {@link WebSocketSink} through Vert.x's {@code ServerWebSocket}.
 *
 * <p>Threading: every method runs on the channel's event loop, the connection's {@link io.tickstream.fanout.impl.loop.LoopDispatcher}'s.
 */
abstract class AbstractWebSocketSink implements FrameSink {

  final ChannelHandlerContext ctx;
  final OutboundBudget budget;
  /** A close frame went out, or is on its way: nothing more may follow it. */
  boolean closeSent;
  /** Tick bytes written so far, with Netty's per-message overhead: what {@link #deliveredBytes} counts from. */
  private long writtenBytes;
  /** A slow client's bound on its queued and unsent bytes; none for one that keeps up. */
  private final UnsentGate unsent = new UnsentGate();

  /** @param maxOutboundBytes {@code fanout.max-outbound-bytes}, see {@link OutboundBudget} */
  AbstractWebSocketSink(ChannelHandlerContext ctx, int maxOutboundBytes, SendCounters counters) {
    this.ctx = ctx;
    this.budget = new OutboundBudget(ctx.channel(), maxOutboundBytes, counters);
    unsent.base(ctx.channel(), ctx.channel().config().getWriteBufferHighWaterMark());
  }

  @Override
  public final boolean writable() {
    return ctx.channel().isWritable() && (unsent.open() || unsent.openAsking(ctx.channel(), budget.heldBytes()));
  }

  @Override
  public final long unsentExcess() {
    if (!unsent.limited() || !ctx.channel().isWritable()) {
      return -1;
    }
    return unsent.excess(ctx.channel(), budget.heldBytes());
  }

  @Override
  public final void write(Frame frame) {
    if (!closeSent) {
      ByteBuf bytes = frame.webSocketFrame();
      int size = bytes.readableBytes() + OutboundBudget.ENTRY_OVERHEAD;
      writtenBytes += size;
      unsent.wrote(size);
      ctx.write(bytes, ctx.voidPromise());
    }
  }

  /** Tick bytes written minus what still waits in the channel's queue (control frames there make it a little low). */
  @Override
  public final long deliveredBytes() {
    return writtenBytes - budget.heldBytes();
  }

  @Override
  public final int queueLimit() {
    return ctx.channel().config().getWriteBufferHighWaterMark();
  }

  @Override
  public final int socketBuffer() {
    Integer size = ctx.channel().config().getOption(ChannelOption.SO_SNDBUF);
    return size == null ? 0 : size;
  }

  /**
   * New water marks (half and all of {@code queueBytes}) and {@code SO_SNDBUF}. The socket option ends the kernel's
   * autotuning of the buffer for this connection: a release gives back the size it had grown to, fixed.
   */
  @Override
  public final void fitTo(int queueBytes, int socketBytes, int unsentBytes) {
    unsent.limit(unsentBytes);
    ChannelConfig config = ctx.channel().config();
    config.setWriteBufferWaterMark(new WriteBufferWaterMark(queueBytes / 2, queueBytes));
    if (socketBytes > 0) {
      config.setOption(ChannelOption.SO_SNDBUF, socketBytes);
    }
  }

  @Override
  public final void flush() {
    ctx.flush();
  }

  /**
   * Written as an encoded frame at {@code ctx}, like the ticks: on the {@code vertx} transport not through
   * {@code writeTextMessage}, whose own write queue {@link OutboundBudget} could not see and ticks could overtake.
   */
  @Override
  public final boolean writeText(String json) {
    return closeSent || budget.writeText(ctx, json);
  }

  @Override
  public final boolean ping(long payload) {
    return closeSent || budget.writePing(ctx, payload);
  }

  /**
   * Answers a client's ping with its payload, even while the channel is unwritable (RFC 6455 5.5.2): what bounds a
   * client that pings and does not read is the message rate and {@link OutboundBudget}, not a dropped pong.
   */
  @Override
  public final boolean pong(ByteBuf payload) {
    return closeSent || budget.writePong(ctx, payload);
  }

  /** Bytes queued in the node for this connection now. */
  final long heldBytes() {
    return budget.heldBytes();
  }

  final boolean closeSent() {
    return closeSent;
  }

  /**
   * Resets the connection if it is still open: its close handshake has not finished in the time one is given, and the
   * close frame may be stuck in Netty's queue (or Vert.x's, which waits for the channel to become writable) behind
   * data the client does not read, where neither a closing timeout nor a FIN would ever get past it. Closed from
   * {@code ctx}, not from the channel: a close from the pipeline's tail would reach Vert.x's handler, which turns it
   * into one more graceful close waiting for the same stuck frame.
   */
  static void abortIfStuck(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    if (ch.isOpen()) {
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
      ctx.close();
    }
  }
}
