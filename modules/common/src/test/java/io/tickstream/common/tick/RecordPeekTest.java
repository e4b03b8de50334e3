package io.tickstream.common.tick;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RecordPeekTest {

  private final RecordPeek peek = new RecordPeek();

  @Test
  void readsWhatTheDecoderReadsFromARecordValue() throws Exception {
    BookTicker tick = new BookTicker(400900217, "BNBUSDT", "25.35190000", "31.21000000", "25.36520000", "40.66000000",
        1_764_180_000_123_456L);
    byte[] value = new BookTickerEncoder().recordValue(tick);
    BookTicker decoded = BookTickerDecoder.decode(value);

    assertThat(peek.read(value, 0, value.length)).isTrue();
    assertThat(peek.updateId).isEqualTo(decoded.updateId());
    assertThat(peek.symbol).isEqualTo(decoded.symbol());
    assertThat(peek.receiveTimeMicros).isEqualTo(decoded.receiveTimeMicros());
  }

  @Test
  void readsAValueInsideALargerArray() {
    byte[] value = new BookTickerEncoder().recordValue(
        new BookTicker(7, "ETHBTC", "0.05", "1", "0.06", "2", 42L));
    byte[] framed = new byte[value.length + 9];
    System.arraycopy(value, 0, framed, 4, value.length);
    framed[framed.length - 1] = '}';

    assertThat(peek.read(framed, 4, value.length)).isTrue();
    assertThat(peek.updateId).isEqualTo(7);
    assertThat(peek.symbol).isEqualTo("ETHBTC");
    assertThat(peek.receiveTimeMicros).isEqualTo(42);
  }

  /** Anything laid out otherwise goes to the decoder: the peek never guesses. */
  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "{}",
      "{\"s\":\"BNBUSDT\",\"u\":1,\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":5}",
      "{\"u\":-1,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":5}",
      "{\"u\":1234567890123456789,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":5}",
      "{\"u\":1,\"s\":\"bnbusdt\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":5}",
      "{\"u\":1,\"s\":\"\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":5}",
      "{\"u\":1,\"s\":\"BNB\\\"USDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":5}",
      "{\"u\":1,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}",
      "{\"u\":1,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":5,\"x\":1}",
      "{\"u\":1,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":}",
      "{\"u\":1,\"s\":\"BNBUSDT",
      "{\"u\":1,\"s\":\"BNBUSDT\"}",
      "{\"u\":1,\"s\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":5}",
  })
  void leavesAnyOtherLayoutToTheDecoder(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    assertThat(peek.read(bytes, 0, bytes.length)).isFalse();
  }

  @Test
  void neverReadsPastTheValue() {
    byte[] value = "{\"u\":12,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":5}"
        .getBytes(StandardCharsets.US_ASCII);
    for (int len = 0; len < value.length; len++) {
      assertThat(peek.read(value, 0, len)).as("first %d bytes", len).isFalse();
    }
  }
}
