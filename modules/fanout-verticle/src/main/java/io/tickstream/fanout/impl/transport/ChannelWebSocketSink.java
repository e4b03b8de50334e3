package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import io.tickstream.fanout.impl.metrics.SendCounters;

import java.util.concurrent.TimeUnit;

/**
 * A WebSocket served on this node's own Netty pipeline ({@link io.tickstream.fanout.impl.server.WebSocketChannelUpgrade}): every frame is written at
 * the frame handler's context, straight to the socket, without an encoder in between. Tick frames are the shared,
 * pre-encoded ones ({@link Frame}); control replies, pings, pongs and closes are encoded here (server frames are
 * never masked, RFC 6455 5.1).
 *
 * <p>Why not Vert.x's {@code ServerWebSocket}: after an upgrade Vert.x keeps the HTTP/1 connection, the request, a
 * WebSocket connection and its queued-write path per socket, about 10-15 KiB of heap for a socket that is idle
 * almost always (see {@code docs/benchmarks.md}, "Memory per idle connection"). Here a connection is its Netty
 * channel, two small handlers and its session.
 *
 * <p>Threading: every method runs on the channel's event loop, which is the event loop of the connection's
 * {@link io.tickstream.fanout.impl.loop.LoopDispatcher} (the channel was accepted there and never moves).
 */
public final class ChannelWebSocketSink extends AbstractWebSocketSink {

  /** Vert.x's default: how long a close waits for the client's close frame before the TCP connection is closed. */
  static final long CLOSING_TIMEOUT_MILLIS = 10_000;
  /**
   * How long a close frame may wait behind data the client does not read before the connection is reset: as long as
   * the close handshake may take. A client that has not read for that long after being closed (typically a stalled
   * one closed with 1013) will not read its close frame either; waiting longer only keeps its file descriptor, its
   * Netty queue and up to {@code net.ipv4.tcp_wmem}'s maximum of kernel send buffer.
   */
  static final long CLOSE_FRAME_DEADLINE_MILLIS = CLOSING_TIMEOUT_MILLIS;

  /** @param maxOutboundBytes {@code fanout.max-outbound-bytes}, see {@link OutboundBudget} */
  ChannelWebSocketSink(ChannelHandlerContext ctx, int maxOutboundBytes, SendCounters counters) {
    super(ctx, maxOutboundBytes, counters);
  }

  /**
   * Sends a close frame and closes the TCP connection once the client answers it, or {@link #CLOSING_TIMEOUT_MILLIS}
   * after the frame was written if it does not (RFC 6455 7.1.1: the server closes the TCP connection first), or
   * after {@link #CLOSE_FRAME_DEADLINE_MILLIS} if the frame could not even be written (a client that never reads):
   * then the connection is reset (SO_LINGER 0), since a FIN would wait behind the same unread data.
   */
  @Override
  public void close(short code, String reason) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    if (!ctx.channel().isActive()) {
      return;
    }
    ChannelPromise written = ctx.newPromise();
    ctx.writeAndFlush(ControlFrames.close(ctx.alloc(), code, reason), written);
    // A client that stopped reading gets its close frame only once it reads what is queued before it: closing the
    // channel earlier would drop the frame (1006 instead of the code). So, as Vert.x did, the closing timeout runs
    // from the moment the frame is written; the deadline only ends a client that never reads again.
    ScheduledFuture<?> deadline = ctx.executor().schedule(() -> abortIfStuck(ctx),
        CLOSE_FRAME_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
    written.addListener(f -> {
      deadline.cancel(false);
      ctx.executor().schedule(() -> {
        ctx.channel().close();
      }, CLOSING_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    });
  }

  /** The client sent a close frame: answer it with {@code code} (unless we already sent ours), then close TCP. */
  void closeReceived(int code) {
    if (closeSent || !ctx.channel().isActive()) {
      ctx.channel().close();
      return;
    }
    closeSent = true;
    ByteBuf frame = code < 0 ? ControlFrames.emptyClose(ctx.alloc()) : ControlFrames.close(ctx.alloc(), (short) code, "");
    // A client that closes and does not read would otherwise keep the connection (and what it holds) for ever: the
    // answer waits behind what it did not read, and the TCP close waits for the answer.
    ScheduledFuture<?> deadline = ctx.executor().schedule(() -> abortIfStuck(ctx),
        CLOSE_FRAME_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
    ctx.writeAndFlush(frame).addListener(f -> {
      deadline.cancel(false);
      ctx.channel().close();
    });
  }
}
