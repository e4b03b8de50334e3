package io.tickstream.fanout.impl;

import io.netty.channel.ChannelHandlerContext;
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
 * Writability is the channel's, which is also what Vert.x's {@code writeQueueFull()} and drain handler use.
 */
final class WebSocketSink implements FrameSink {

  private static final Buffer PING_PAYLOAD = Buffer.buffer("tickstream");

  private final ServerWebSocket ws;
  private final ChannelHandlerContext ctx;

  WebSocketSink(ServerWebSocket ws) {
    this.ws = ws;
    this.ctx = ((WebSocketInternal) ws).channelHandlerContext();
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
