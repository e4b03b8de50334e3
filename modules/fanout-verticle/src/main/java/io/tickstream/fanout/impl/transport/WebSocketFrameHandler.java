package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
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
 *   <li>Every frame but a close goes through the node's one inbound policy ({@link InboundFrames}: the message rate,
 *       1009 for a text message over {@code fanout.max-frame-bytes} as soon as the excess arrives, 1003 for binary,
 *       pings answered within the outbound cap, pongs checked against our last ping).</li>
 *   <li>A text message it admits (one frame, or fragments joined here) goes to {@link Inbound#onMessage}; a close
 *       frame is answered and the TCP connection closed.</li>
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
  private final InboundFrames frames;
  private ChannelWebSocketSink sink;
  private Inbound session;
  /** The text fragments received so far, or null outside a fragmented text message. */
  private ByteBuf fragments;

  /**
   * @param maxMessageBytes {@code fanout.max-frame-bytes}
   * @param maxOutboundBytes {@code fanout.max-outbound-bytes}
   * @param counters the loop's counters (the outbound peak)
   */
  public WebSocketFrameHandler(int maxMessageBytes, int maxOutboundBytes, SendCounters counters) {
    this.maxMessageBytes = maxMessageBytes;
    this.maxOutboundBytes = maxOutboundBytes;
    this.counters = counters;
    this.frames = new InboundFrames(maxMessageBytes, true);
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
      if (msg instanceof CloseWebSocketFrame close) {
        int code = close.statusCode();
        session.release();
        sink.closeReceived(ClientClose.answerTo(code));
      } else if (msg instanceof WebSocketFrame frame) {
        if (frames.admit(session, frame)) {
          onText(ctx, frame);
        } else if (session.isClosed()) {
          releaseFragments(); // closed for this frame (1009, the rate): what was joined so far goes at once
        }
      }
      // Anything else is what the HTTP decoder still passed on after the upgrade (its empty last content): dropped.
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** A text frame or continuation the policy admitted: within the limit, so joining it never passes the limit. */
  private void onText(ChannelHandlerContext ctx, WebSocketFrame frame) {
    ByteBuf content = frame.content();
    if (frame instanceof TextWebSocketFrame) {
      releaseFragments();
      if (frame.isFinalFragment()) {
        session.onMessage(content.toString(StandardCharsets.UTF_8));
        return;
      }
      fragments = ctx.alloc().heapBuffer(Math.min(maxMessageBytes, Math.max(256, content.readableBytes() * 2)),
          maxMessageBytes);
    }
    fragments.writeBytes(content);
    if (frame.isFinalFragment()) {
      String text = fragments.toString(StandardCharsets.UTF_8);
      releaseFragments();
      session.onMessage(text);
    }
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
      InboundFrames.refused(session, corrupt);
    } else {
      // I/O errors (a reset connection): nothing to say to the client.
      ctx.channel().close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // Vert.x's server announces its shutdown to every channel it accepted; the dispatcher's drain has already
    // closed this one's session with 1012, and the server closes the channel after its grace period.
    ReferenceCountUtil.release(evt);
  }
}
