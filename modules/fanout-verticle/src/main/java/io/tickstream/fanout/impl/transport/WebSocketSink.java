package io.tickstream.fanout.impl.transport;

import io.netty.channel.WriteBufferWaterMark;
import io.tickstream.fanout.impl.metrics.SendCounters;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

import java.util.concurrent.TimeUnit;

/**
 * Writes pre-encoded tick frames straight to the WebSocket's Netty channel, many per flush.
 *
 * <p>Why internal API ({@link WebSocketInternal#channelHandlerContext()}): Vert.x's public API flushes after
 * every write outside a read, one {@code write} syscall per message per socket, which is two thirds of the
 * cost of a broadcast (see stack-facts). Writing the shared frame bytes at Vert.x's handler context passes
 * them through the WebSocket encoder untouched and lets the dispatcher flush once per Kafka batch. Control
 * replies, pings and pongs are written the same way ({@link ControlFrames}), so every byte the node holds for the
 * client is in the channel's queue, where {@link OutboundBudget} caps it; only the close goes through the public API.
 * Writability is the channel's (water marks {@code writeQueueBytes/2} and {@code writeQueueBytes}). Vert.x's
 * drain handler only fires for its own write queue, which these writes bypass, so a handler in front
 * of Vert.x's ({@link VertxFrameGuard}, which also applies the inbound limits) reports the channel becoming
 * writable again.
 *
 * <p>Closing a client that stopped reading: Vert.x starts its WebSocket closing timeout only once the close frame has
 * been written, and behind a client that reads nothing it never is. The connection would then live for ever: its
 * file descriptor, its Netty queue and up to {@code net.ipv4.tcp_wmem}'s maximum of kernel send buffer (4 MiB on
 * Linux by default) per stalled client. So {@link #close} gives the close handshake {@code abortAfterMillis} ({@link #CLOSE_FRAME_WAIT_MILLIS})
 * to finish; if the connection is still open then, it is reset (SO_LINGER 0: no FIN that would wait behind the
 * unread data either), which frees all of it at once.
 */
public final class WebSocketSink extends AbstractWebSocketSink {

  /**
   * How long a close frame may wait in Netty's queue before the connection is reset: as long as Vert.x gives a client
   * to answer a close frame it did receive ({@link HttpServerOptions#DEFAULT_WEBSOCKET_CLOSING_TIMEOUT}, 10 s), so a
   * client that reads slowly still gets its close frame.
   */
  public static final long CLOSE_FRAME_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(HttpServerOptions.DEFAULT_WEBSOCKET_CLOSING_TIMEOUT);
  private final ServerWebSocket ws;
  private final long abortAfterMillis;
  private final VertxFrameGuard guard;

  /**
   * @param maxMessageBytes {@code fanout.max-frame-bytes}, applied by the {@link VertxFrameGuard} this installs
   * @param maxOutboundBytes {@code fanout.max-outbound-bytes}, see {@link OutboundBudget}
   * @param abortAfterMillis how long after {@link #close} a close frame still queued behind unread data may wait
   *     before the connection is reset
   */
  public WebSocketSink(ServerWebSocket ws, int writeQueueBytes, int maxMessageBytes, int maxOutboundBytes,
                SendCounters counters, long abortAfterMillis, Runnable onWritable) {
    super(((WebSocketInternal) ws).channelHandlerContext(), maxOutboundBytes, counters);
    this.ws = ws;
    this.abortAfterMillis = abortAfterMillis;
    ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueBytes / 2, writeQueueBytes));
    this.guard = new VertxFrameGuard(maxMessageBytes, onWritable);
    ctx.pipeline().addBefore(ctx.name(), "tickstream-guard", guard);
  }

  /** The session the guard reports frames to; set on the event loop before the connection's next read. */
  public void inbound(Inbound session) {
    guard.inbound(session);
  }

  @Override
  public void close(short code, String reason) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    ws.close(code, reason);
    ctx.executor().schedule(() -> abortIfStuck(ctx), abortAfterMillis, TimeUnit.MILLISECONDS);
  }
}
