package io.tickstream.loadgen.impl;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Looking a symbol up straight from a frame's bytes, among thousands. */
class SymbolIndexTest {

  @Test
  void everySymbolOfAThousandsLongListIsFoundAtItsSlotInsideAFrame() {
    List<String> symbols = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      symbols.add("S" + i + "USDT");
    }
    SymbolIndex index = new SymbolIndex(symbols);
    assertThat(index.size()).isEqualTo(2000);
    for (int i = 0; i < symbols.size(); i++) {
      byte[] m = frame(symbols.get(i));
      assertThat(index.slot(m, m.length, valueStart(m))).as(symbols.get(i)).isEqualTo(i);
    }
  }

  @Test
  void aPrefixALongerSymbolOrAnUnknownOneIsNotASymbol() {
    SymbolIndex index = new SymbolIndex(List.of("BNB", "BNBUSDT"));
    for (String other : List.of("BNBUSD", "BNBUSDTX", "ETHUSDT", "")) {
      byte[] m = frame(other);
      assertThat(index.slot(m, m.length, valueStart(m))).as(other).isEqualTo(-1);
    }
    byte[] bnb = frame("BNB");
    assertThat(index.slot(bnb, bnb.length, valueStart(bnb))).isZero();
  }

  @Test
  void aValueWithoutItsClosingQuoteIsNotASymbol() {
    SymbolIndex index = new SymbolIndex(List.of("BTCUSDT"));
    byte[] m = "{\"s\":\"BTCUSDT".getBytes(StandardCharsets.US_ASCII);
    assertThat(index.slot(m, m.length, 6)).isEqualTo(-1);
    assertThat(index.slot(m, m.length, -1)).isEqualTo(-1);
  }

  @Test
  void aSymbolListedTwiceIsRefused() {
    assertThatThrownBy(() -> new SymbolIndex(List.of("BTCUSDT", "ETHUSDT", "BTCUSDT")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BTCUSDT");
  }

  private static byte[] frame(String symbol) {
    return ("{\"u\":1,\"s\":\"" + symbol + "\",\"b\":\"1.0\",\"pt\":2}").getBytes(StandardCharsets.US_ASCII);
  }

  private static int valueStart(byte[] m) {
    return TickFields.after(m, m.length, TickFields.S, 0);
  }
}
