package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.tickstream.fanout.impl.metrics.ClientClose;
import io.tickstream.fanout.impl.metrics.SendCounters;

import java.nio.charset.StandardCharsets;

/**
 * The inbound end of a WebSocket served on this node's own pipeline: the frames Netty's
 * {@code WebSocket13FrameDecoder} reads (which enforces masking, control-frame rules and {@code fanout.max-frame-bytes}
 * per frame) become {@link Inbound} calls, as Vert.x's handlers did before.
 *
 * <ul>
 *   <li>Every text, binary, continuation, ping and pong frame counts toward the message rate
 *       ({@link Inbound#admit}), as Binance counts them; fragments one each.</li>
 *   <li>A text message (one frame, or fragments joined here) goes to {@link Inbound#onMessage}; one whose bytes,
 *       in one frame or added up over its fragments, pass {@code fanout.max-frame-bytes} closes the connection with
 *       1009 as soon as the excess arrives, so a client never makes the node hold more than that.</li>
 *   <li>A binary message is refused by the session (1003); a pong counts as liveness if it echoes our last ping; a
 *       ping is answered with a pong carrying its payload, within the outbound cap; a close frame is answered and the
 *       TCP connection closed.</li>
 *   <li>A frame the decoder rejects closes with its status and a close frame: 1009 for a frame over
 *       {@link io.tickstream.fanout.impl.server.FanoutServer#TRANSPORT_FRAME_FACTOR} times the limit (refused from its header, before its payload is
 *       buffered), 1002 for a protocol error, 1007 for bad UTF-8 in a close frame.</li>
 *   <li>The channel turning writable drains the session's conflated backlog; the channel closing releases it.</li>
 * </ul>
 *
 * <p>Threading: Netty calls it on the channel's event loop, the dispatcher's. Size: a reference to the session and the
 * sink, and a buffer only while a fragmented message is being received.
 */
public final class WebSocketFrameHandler extends ChannelInboundHandlerAdapter {

  private final int maxMessageBytes;
  private final int maxOutboundBytes;
  private final SendCounters counters;
  private ChannelWebSocketSink sink;
  private Inbound session;
  /** The text fragments received so far, or null outside a fragmented text message. */
  private ByteBuf fragments;
  /** A binary message's continuation frames are being skipped. */
  private boolean inBinary;

  /**
   * @param maxMessageBytes {@code fanout.max-frame-bytes}
   * @param maxOutboundBytes {@code fanout.max-outbound-bytes}
   * @param counters the loop's counters (the outbound peak)
   */
  public WebSocketFrameHandler(int maxMessageBytes, int maxOutboundBytes, SendCounters counters) {
    this.maxMessageBytes = maxMessageBytes;
    this.maxOutboundBytes = maxOutboundBytes;
    this.counters = counters;
  }

  /** The sink writing at this handler's place in the pipeline: right after the head, nothing to encode between. */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    sink = new ChannelWebSocketSink(ctx, maxOutboundBytes, counters);
  }

  public ChannelWebSocketSink sink() {
    return sink;
  }

  /** Set once, right after the 101 went out and before any frame can be read. */
  public void inbound(Inbound session) {
    this.session = session;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (session == null || session.isClosed() || sink.closeSent()) {
        // A client may still send until it sees our close; only its close frame matters now.
        if (msg instanceof CloseWebSocketFrame) {
          ctx.channel().close();
        }
        return;
      }
      if (msg instanceof TextWebSocketFrame text) {
        if (session.admit()) {
          onText(ctx, text);
        }
      } else if (msg instanceof ContinuationWebSocketFrame more) {
        if (session.admit()) {
          onContinuation(more);
        }
      } else if (msg instanceof PingWebSocketFrame ping) {
        session.onPing(ping.content());
      } else if (msg instanceof PongWebSocketFrame pong) {
        session.onPong(pong.content());
      } else if (msg instanceof BinaryWebSocketFrame binary) {
        inBinary = !binary.isFinalFragment();
        session.onBinary();
      } else if (msg instanceof CloseWebSocketFrame close) {
        int code = close.statusCode();
        session.release();
        sink.closeReceived(ClientClose.answerTo(code));
      }
      // Anything else is what the HTTP decoder still passed on after the upgrade (its empty last content): dropped.
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onText(ChannelHandlerContext ctx, TextWebSocketFrame text) {
    ByteBuf content = text.content();
    if (content.readableBytes() > maxMessageBytes) {
      tooBig();
    } else if (text.isFinalFragment()) {
      session.onMessage(content.toString(StandardCharsets.UTF_8));
    } else {
      fragments = ctx.alloc().heapBuffer(Math.min(maxMessageBytes, Math.max(256, content.readableBytes() * 2)),
          maxMessageBytes);
      fragments.writeBytes(content);
    }
  }

  private void onContinuation(ContinuationWebSocketFrame more) {
    if (inBinary) {
      inBinary = !more.isFinalFragment();
      return;
    }
    if (fragments == null) {
      return; // the decoder only passes continuations inside a message; a refused binary one ends above
    }
    ByteBuf part = more.content();
    if (fragments.readableBytes() + part.readableBytes() > maxMessageBytes) {
      tooBig();
      return;
    }
    fragments.writeBytes(part);
    if (more.isFinalFragment()) {
      String text = fragments.toString(StandardCharsets.UTF_8);
      releaseFragments();
      session.onMessage(text);
    }
  }

  private void tooBig() {
    releaseFragments();
    session.close(ClientClose.TOO_BIG);
  }

  private void releaseFragments() {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (session != null && ctx.channel().isWritable()) {
      session.onDrain();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseFragments();
    if (session != null) {
      session.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    releaseFragments();
    if (cause instanceof CorruptedWebSocketFrameException corrupt && session != null && !session.isClosed()) {
      closeRefused(session, corrupt);
    } else {
      // I/O errors (a reset connection): nothing to say to the client.
      ctx.channel().close();
    }
  }

  /**
   * A frame the decoder refused: closed with the decoder's status and a close frame, counted as too big (1009) or as
   * a protocol error. Shared with the {@code vertx} transport's {@link VertxFrameGuard}.
   */
  static void closeRefused(Inbound session, CorruptedWebSocketFrameException corrupt) {
    short code = (short) corrupt.closeStatus().code();
    if (code == ClientClose.TOO_BIG.code) {
      session.close(ClientClose.TOO_BIG);
    } else {
      session.close(ClientClose.PROTOCOL_ERROR, code, corrupt.closeStatus().reasonText());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // Vert.x's server announces its shutdown to every channel it accepted; the dispatcher's drain has already
    // closed this one's session with 1012, and the server closes the channel after its grace period.
    ReferenceCountUtil.release(evt);
  }
}
