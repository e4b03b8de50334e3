package io.tickstream.fanout.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Writes pre-encoded tick frames straight to the WebSocket's Netty channel, many per flush.
 *
 * <p>Why internal API ({@link WebSocketInternal#channelHandlerContext()}): Vert.x's public API flushes after
 * every write outside a read, one {@code write} syscall per message per socket, which is two thirds of the
 * cost of a broadcast (see stack-facts). Writing the shared frame bytes at Vert.x's handler context passes
 * them through the WebSocket encoder untouched and lets the dispatcher flush once per Kafka batch. Control
 * replies, pings and closes still go through the public API, on the same event loop, so ordering holds.
 * Writability is the channel's (water marks {@code writeQueueBytes/2} and {@code writeQueueBytes}). Vert.x's
 * drain handler only fires for its own write queue, which these writes bypass, so a small handler in front
 * of Vert.x's reports the channel becoming writable again.
 */
final class WebSocketSink implements FrameSink {

  private static final Buffer PING_PAYLOAD = Buffer.buffer("tickstream");

  private final ServerWebSocket ws;
  private final ChannelHandlerContext ctx;

  WebSocketSink(ServerWebSocket ws, int writeQueueBytes, Runnable onWritable) {
    this.ws = ws;
    this.ctx = ((WebSocketInternal) ws).channelHandlerContext();
    ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueBytes / 2, writeQueueBytes));
    ctx.pipeline().addBefore(ctx.name(), "tickstream-writability", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelWritabilityChanged(ChannelHandlerContext c) throws Exception {
        if (c.channel().isWritable()) {
          onWritable.run();
        }
        super.channelWritabilityChanged(c);
      }
    });
  }

  @Override
  public boolean writable() {
    return ctx.channel().isWritable();
  }

  @Override
  public void write(Frame frame) {
    ctx.write(frame.webSocketFrame(), ctx.voidPromise());
  }

  @Override
  public void flush() {
    ctx.flush();
  }

  @Override
  public void writeText(String json) {
    ws.writeTextMessage(json);
  }

  @Override
  public void ping() {
    ws.writePing(PING_PAYLOAD);
  }

  @Override
  public void close(short code, String reason) {
    ws.close(code, reason);
  }
}
