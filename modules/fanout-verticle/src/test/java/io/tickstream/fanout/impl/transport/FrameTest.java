package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** A frame is the encoder's text behind the right WebSocket header, whatever the length; SockJS sees the text. */
class FrameTest {

  private final BookTickerEncoder encoder = new BookTickerEncoder();

  @Test
  void rawAndCombinedFramesCarryTheEncodersTextBehindAWebSocketHeader() {
    BookTicker t = new BookTicker(400900217, "BNBUSDT", "25.35190000", "31.21000000", "25.36520000", "40.66000000",
        1_764_180_000_123_456L);
    assertFrame(Frame.raw(encoder, t, 1_764_180_000_124_000L), encoder.clientRaw(t, 1_764_180_000_124_000L));
    assertFrame(Frame.combined(encoder, t, "bnbusdt@bookTicker", 1_764_180_000_124_000L),
        encoder.clientCombined(t, "bnbusdt@bookTicker", 1_764_180_000_124_000L));
  }

  @Test
  void eachHeaderSizeAtItsBoundaries() {
    // The fixed part of a raw message with these values, then a quantity padded to reach each length.
    BookTicker probe = tick(1, "");
    int fixed = encoder.clientRaw(probe, 7).length();
    for (int len : new int[]{fixed, 125, 126, 127, 65_535, 65_536, 70_000}) {
      BookTicker t = tick(1, "1".repeat(len - fixed));
      Buffer expected = encoder.clientRaw(t, 7);
      assertThat(expected.length()).isEqualTo(len);
      assertFrame(Frame.raw(encoder, t, 7), expected);
    }
  }

  private static BookTicker tick(long u, String qtyPadding) {
    return new BookTicker(u, "BNBUSDT", "1.0", "2" + qtyPadding, "1.1", "3.0", 5);
  }

  private static void assertFrame(Frame frame, Buffer text) {
    int len = text.length();
    ByteBuf ws = frame.webSocketFrame();
    byte[] bytes = new byte[ws.readableBytes()];
    ws.getBytes(ws.readerIndex(), bytes);
    byte[] header;
    if (len <= 125) {
      header = new byte[]{(byte) 0x81, (byte) len};
    } else if (len <= 0xFFFF) {
      header = new byte[]{(byte) 0x81, 126, (byte) (len >>> 8), (byte) len};
    } else {
      header = new byte[]{(byte) 0x81, 127, 0, 0, 0, 0, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8),
          (byte) len};
    }
    assertThat(Arrays.copyOf(bytes, header.length)).as("header of %s bytes", len).isEqualTo(header);
    assertThat(Arrays.copyOfRange(bytes, header.length, bytes.length)).isEqualTo(text.getBytes());
    assertThat(frame.length()).isEqualTo(len);
    assertThat(frame.text().toString()).isEqualTo(text.toString());
    assertThat(frame.webSocketFrame().readableBytes()).as("a view per write: the shared one is untouched")
        .isEqualTo(header.length + len);
  }
}
