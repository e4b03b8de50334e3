package io.tickstream.fanout.impl.transport;

import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.tickstream.fanout.impl.metrics.ClientClose;

/**
 * The one inbound frame policy of every WebSocket the node serves: the node's own pipeline
 * ({@link WebSocketFrameHandler}), Vert.x's ({@link VertxFrameGuard}) and SockJS's websocket transport (the same guard).
 * The handlers only decide where an admitted text frame goes (joined here, or on to Vert.x).
 *
 * <ul>
 *   <li>Text, continuation, ping and pong frames count toward the message rate ({@link Inbound#admit}, pings and pongs
 *       inside {@link Inbound#onPing} and {@link Inbound#onPong}); on SockJS's websocket transport text frames do
 *       not, because the session counts each SockJS message a frame carries.</li>
 *   <li>A text message over {@code fanout.max-frame-bytes}, in one frame or added up over its fragments, closes with
 *       1009 as soon as the excess arrives: the node never holds more than that for one client's message.</li>
 *   <li>A binary message is refused by the session (1003) and its continuation frames are skipped; a continuation
 *       outside a message is dropped.</li>
 *   <li>A frame Netty's decoder refuses closes with the decoder's status and a close frame ({@link #refused}).</li>
 * </ul>
 *
 * <p>Threading: the channel's event loop; one per connection, not thread-safe. Size: a long and a boolean.
 */
final class InboundFrames {

  private final int maxMessageBytes;
  private final boolean countTextFrames;
  /** Bytes of the text message being received, or -1 outside one. */
  private long messageBytes = -1;
  /** A binary message's continuation frames are being skipped. */
  private boolean inBinary;

  /**
   * @param maxMessageBytes {@code fanout.max-frame-bytes}
   * @param countTextFrames false on SockJS's websocket transport, whose session counts SockJS messages instead
   */
  InboundFrames(int maxMessageBytes, boolean countTextFrames) {
    this.maxMessageBytes = maxMessageBytes;
    this.countTextFrames = countTextFrames;
  }

  /**
   * Applies the policy to {@code frame} (not a close frame) on behalf of {@code session}. True if it is a text frame
   * or a text message's continuation within the limits, which the caller delivers; false if it was handled here or
   * dropped (the caller releases it). Ends of messages: {@link WebSocketFrame#isFinalFragment()}.
   */
  boolean admit(Inbound session, WebSocketFrame frame) {
    if (frame instanceof PingWebSocketFrame) {
      session.onPing(frame.content());
      return false;
    }
    if (frame instanceof PongWebSocketFrame) {
      session.onPong(frame.content());
      return false;
    }
    if (frame instanceof BinaryWebSocketFrame) {
      inBinary = !frame.isFinalFragment();
      session.onBinary();
      return false;
    }
    boolean text = frame instanceof TextWebSocketFrame;
    if (!text && !(frame instanceof ContinuationWebSocketFrame)) {
      return false;
    }
    if ((countTextFrames || !text) && !session.admit()) {
      return false;
    }
    if (text) {
      messageBytes = frame.content().readableBytes();
    } else if (inBinary || messageBytes < 0) {
      inBinary &= !frame.isFinalFragment();
      return false;
    } else {
      messageBytes += frame.content().readableBytes();
    }
    if (messageBytes > maxMessageBytes) {
      messageBytes = -1;
      session.close(ClientClose.TOO_BIG);
      return false;
    }
    if (frame.isFinalFragment()) {
      messageBytes = -1;
    }
    return true;
  }

  /**
   * A frame the decoder refused: closed with the decoder's status and a close frame, counted as too big (1009) or as
   * a protocol error.
   */
  static void refused(Inbound session, CorruptedWebSocketFrameException corrupt) {
    short code = (short) corrupt.closeStatus().code();
    if (code == ClientClose.TOO_BIG.code) {
      session.close(ClientClose.TOO_BIG);
    } else {
      session.close(ClientClose.PROTOCOL_ERROR, code, corrupt.closeStatus().reasonText());
    }
  }
}
