package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.tickstream.fanout.impl.metrics.ClientClose;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one inbound frame policy every WebSocket transport applies (the end-to-end behaviour over real sockets is in
 * the transports' own tests): what counts toward the rate, where 1009 falls for a fragmented message, how a binary
 * message's fragments are skipped, and what SockJS's websocket transport does not count.
 */
class InboundFramesTest {

  private static final int MAX = 100;

  /** The session's side, recorded; admits up to {@code allowed} messages, then closes as a rate limit would. */
  private static final class Recording implements Inbound {
    final List<String> calls = new ArrayList<>();
    int allowed = Integer.MAX_VALUE;
    boolean closed;

    @Override public boolean isClosed() {
      return closed;
    }

    @Override public boolean admit() {
      calls.add("admit");
      if (--allowed < 0) {
        closed = true;
        return false;
      }
      return true;
    }

    @Override public void onMessage(String text) {
      calls.add("message " + text);
    }

    @Override public void onPing(ByteBuf payload) {
      calls.add("ping");
    }

    @Override public void onPong(ByteBuf payload) {
      calls.add("pong");
    }

    @Override public void onBinary() {
      calls.add("binary");
    }

    @Override public void onDrain() {
    }

    @Override public void close(ClientClose why) {
      closed = true;
      calls.add("close " + why);
    }

    @Override public void close(ClientClose why, short code, String reason) {
      closed = true;
      calls.add("close " + why + " " + code);
    }

    @Override public void release() {
    }
  }

  private static ByteBuf bytes(int n) {
    return Unpooled.wrappedBuffer(new byte[n]);
  }

  private static boolean admit(InboundFrames frames, Inbound session, WebSocketFrame frame) {
    try {
      return frames.admit(session, frame);
    } finally {
      frame.release();
    }
  }

  @Test
  void textWithinTheLimitPassesAndEveryDataFrameCounts() {
    InboundFrames frames = new InboundFrames(MAX, true);
    Recording s = new Recording();
    assertThat(admit(frames, s, new TextWebSocketFrame(false, 0, bytes(60)))).isTrue();
    assertThat(admit(frames, s, new ContinuationWebSocketFrame(true, 0, bytes(40)))).isTrue();
    assertThat(admit(frames, s, new PingWebSocketFrame(bytes(4)))).isFalse();
    assertThat(admit(frames, s, new PongWebSocketFrame(bytes(4)))).isFalse();
    assertThat(s.calls).containsExactly("admit", "admit", "ping", "pong");
    assertThat(s.closed).isFalse();
  }

  @Test
  void aFragmentedMessageOverTheLimitClosesWith1009AtTheFragmentThatPassesIt() {
    InboundFrames frames = new InboundFrames(MAX, true);
    Recording s = new Recording();
    assertThat(admit(frames, s, new TextWebSocketFrame(false, 0, bytes(60)))).isTrue();
    assertThat(admit(frames, s, new ContinuationWebSocketFrame(false, 0, bytes(41)))).isFalse();
    assertThat(s.calls).containsExactly("admit", "admit", "close " + ClientClose.TOO_BIG);
  }

  @Test
  void aBinaryMessageIsRefusedAndItsFragmentsSkipped() {
    InboundFrames frames = new InboundFrames(MAX, true);
    Recording s = new Recording();
    assertThat(admit(frames, s, new BinaryWebSocketFrame(false, 0, bytes(10)))).isFalse();
    assertThat(admit(frames, s, new ContinuationWebSocketFrame(true, 0, bytes(10)))).isFalse();
    // A continuation outside any message is dropped too, and the next text message is whole again.
    assertThat(admit(frames, s, new ContinuationWebSocketFrame(true, 0, bytes(10)))).isFalse();
    assertThat(admit(frames, s, new TextWebSocketFrame(true, 0, bytes(10)))).isTrue();
    assertThat(s.calls).containsExactly("binary", "admit", "admit", "admit");
  }

  @Test
  void aFrameOverTheRateIsNotDelivered() {
    InboundFrames frames = new InboundFrames(MAX, true);
    Recording s = new Recording();
    s.allowed = 1;
    assertThat(admit(frames, s, new TextWebSocketFrame(true, 0, bytes(10)))).isTrue();
    assertThat(admit(frames, s, new TextWebSocketFrame(true, 0, bytes(10)))).isFalse();
    assertThat(s.closed).isTrue();
  }

  @Test
  void onSockJSTextFramesAreNotCountedButTheirFragmentsAre() {
    InboundFrames frames = new InboundFrames(MAX, false);
    Recording s = new Recording();
    assertThat(admit(frames, s, new TextWebSocketFrame(false, 0, bytes(10)))).isTrue();
    assertThat(admit(frames, s, new ContinuationWebSocketFrame(true, 0, bytes(10)))).isTrue();
    assertThat(s.calls).containsExactly("admit");
  }
}
