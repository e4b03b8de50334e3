package io.tickstream.fanout.impl.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.tickstream.fanout.impl.metrics.ClientClose;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * The {@code vertx} transport's inbound limits: a handler between Netty's WebSocket decoder and Vert.x's connection
 * handler that applies to every frame what {@link WebSocketFrameHandler} applies on the {@code channel} transport,
 * before Vert.x sees it.
 *
 * <p>Why in front of Vert.x and not in its handlers: Vert.x answers pings itself, with no limit and into its own
 * unbounded write queue while the channel is unwritable (a client that pings and never reads grew the heap without
 * bound); it hands pongs over whatever their payload; it drops a fragmented message over its message limit silently,
 * fragment after fragment, and counts nothing; and it answers a frame the decoder refuses (too big, unmasked) by
 * closing the TCP connection without a close frame. Here every frame but a close goes through the node's one inbound
 * policy ({@link InboundFrames}: rate, 1009, 1003, pings and pongs); text frames it admits, and close frames, pass on
 * to Vert.x, which joins fragments and runs the close handshake (a close code Vert.x must not echo is replaced,
 * {@link ClientClose#answerTo}); after the session closed, only close frames pass.
 * It also reports the channel turning writable (Vert.x's drain handler only fires for its own write queue, which tick
 * frames bypass).
 *
 * <p>Threading: the channel's event loop, the session's. Size: a few fields; nothing buffered (Vert.x joins fragments).
 */
public final class VertxFrameGuard extends ChannelInboundHandlerAdapter {

  private final Runnable onWritable;
  private final InboundFrames frames;
  private ChannelHandlerContext ctx;
  private Inbound session;

  VertxFrameGuard(int maxMessageBytes, Runnable onWritable) {
    this(maxMessageBytes, onWritable, true);
  }

  private VertxFrameGuard(int maxMessageBytes, Runnable onWritable, boolean countTextFrames) {
    this.onWritable = onWritable;
    // Not counted on SockJS's websocket transports: there the session counts the SockJS messages a text frame carries.
    this.frames = new InboundFrames(maxMessageBytes, countTextFrames);
  }

  /**
   * A guard for a SockJS websocket transport ({@code /sockjs/.../websocket}), installed on the upgrade request's
   * channel before SockJS upgrades it: Netty's WebSocket decoder takes the HTTP decoder's place, so the guard ends up
   * between it and Vert.x's WebSocket handler, as on the {@code vertx} transport. Until a session is attached it
   * passes everything on. Text frames are not counted here (each SockJS message they carry is, by the session).
   */
  static VertxFrameGuard forSockJS(int maxMessageBytes) {
    return new VertxFrameGuard(maxMessageBytes, () -> { }, false);
  }

  /** Pipeline name and routing-context key of a SockJS websocket upgrade's guard. */
  private static final String SOCKJS_GUARD = "tickstream.sockjs.guard";

  /**
   * A route handler for {@code /sockjs/*}: before SockJS upgrades a request to one of its websocket transports, puts a
   * guard ({@link #forSockJS}) on the request's channel and leaves it in the routing context, where
   * {@link #ofSockJS} finds it for the session. Any other request passes untouched. On the request's loop.
   */
  public static void installForSockJS(RoutingContext rc, int maxMessageBytes) {
    HttpServerRequest req = rc.request();
    String upgrade = req.getHeader(HttpHeaders.UPGRADE);
    if (upgrade != null && upgrade.equalsIgnoreCase("websocket") && req.connection() instanceof HttpServerConnection conn) {
      ChannelHandlerContext vertxCtx = conn.channelHandlerContext();
      if (vertxCtx.pipeline().get(SOCKJS_GUARD) == null) {
        VertxFrameGuard guard = forSockJS(maxMessageBytes);
        vertxCtx.pipeline().addBefore(vertxCtx.name(), SOCKJS_GUARD, guard);
        rc.put(SOCKJS_GUARD, guard);
      }
    }
    rc.next();
  }

  /**
   * The guard {@link #installForSockJS} put on {@code socket}'s channel, if the socket is a websocket transport whose
   * channel's event loop is the calling thread; otherwise null (other transports, or a session opened elsewhere).
   */
  public static VertxFrameGuard ofSockJS(SockJSSocket socket) {
    RoutingContext rc = socket.routingContext();
    VertxFrameGuard guard = rc == null ? null : rc.get(SOCKJS_GUARD);
    return guard != null && guard.ctx != null && guard.ctx.channel().eventLoop().inEventLoop() ? guard : null;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Where pongs are written: below Vert.x, like the {@code vertx} transport's control frames. */
  public ChannelHandlerContext context() {
    return ctx;
  }

  /** Set once, on the event loop, before Vert.x reads the connection's next frame. */
  public void inbound(Inbound session) {
    this.session = session;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof CloseWebSocketFrame close) {
      // Vert.x echoes the client's code; one it may not echo becomes the protocol error the channel transport answers.
      int code = close.statusCode();
      if (ClientClose.answerTo(code) != code) {
        close.release();
        msg = new CloseWebSocketFrame(ClientClose.answerTo(code), "");
      }
      ctx.fireChannelRead(msg);
      return;
    }
    if (!(msg instanceof WebSocketFrame) || session == null) {
      ctx.fireChannelRead(msg);
      return;
    }
    boolean pass = false;
    try {
      pass = !session.isClosed() && frames.admit(session, (WebSocketFrame) msg);
    } finally {
      if (pass) {
        ctx.fireChannelRead(msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupt && session != null) {
      // Not on to Vert.x, which would close the TCP connection without a close frame. Once closed, the close
      // handshake's own timeouts end the connection.
      if (!session.isClosed()) {
        InboundFrames.refused(session, corrupt);
      }
    } else {
      ctx.fireExceptionCaught(cause);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      onWritable.run();
    }
    super.channelWritabilityChanged(ctx);
  }
}
