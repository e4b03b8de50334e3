package io.tickstream.common.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamNameTest {

  @ParameterizedTest
  @CsvSource({
      "btcusdt@bookTicker, BTCUSDT, 0, btcusdt@bookTicker",
      "BTCUSDT@BOOKTICKER, BTCUSDT, 0, btcusdt@bookTicker",
      "BtcUsdt@bookticker, BTCUSDT, 0, btcusdt@bookTicker",
      "btcusdt@bookTicker@100ms, BTCUSDT, 100, btcusdt@bookTicker@100ms",
      "ethbtc@bookTicker@250MS, ETHBTC, 250, ethbtc@bookTicker@250ms",
      "bnbusdt@bookTicker@500ms, BNBUSDT, 500, bnbusdt@bookTicker@500ms",
      "1000satsusdt@bookTicker@1000ms, 1000SATSUSDT, 1000, 1000satsusdt@bookTicker@1000ms",
  })
  void parsesSymbolStreamsCaseInsensitively(String text, String symbol, int interval, String canonical) throws Exception {
    StreamName name = StreamName.parse(text);
    assertThat(name.symbol()).isEqualTo(symbol);
    assertThat(name.intervalMillis()).isEqualTo(interval);
    assertThat(name.isAllSymbols()).isFalse();
    assertThat(name).hasToString(canonical);
  }

  @Test
  void parsesAllSymbolsStream() throws Exception {
    StreamName all = StreamName.parse("!bookTicker");
    assertThat(all.isAllSymbols()).isTrue();
    assertThat(all.symbol()).isNull();
    assertThat(all).isSameAs(StreamName.allBookTickers()).hasToString("!bookTicker");
    assertThat(StreamName.parse("!BOOKTICKER@100ms")).hasToString("!bookTicker@100ms");
  }

  @Test
  void equalityIsOnTheCanonicalForm() throws Exception {
    assertThat(StreamName.parse("BTCUSDT@bookTicker")).isEqualTo(StreamName.parse("btcusdt@BOOKTICKER"))
        .hasSameHashCodeAs(StreamName.bookTicker("btcusdt"));
    assertThat(StreamName.parse("btcusdt@bookTicker@100ms").everyTick()).isEqualTo(StreamName.parse("btcusdt@bookTicker"));
    assertThat(StreamName.parse("btcusdt@bookTicker@100ms")).isNotEqualTo(StreamName.parse("btcusdt@bookTicker"));
  }

  @Test
  void acceptsNonLatinSymbols() throws Exception {
    StreamName name = StreamName.parse("币安人生usdt@bookTicker");
    assertThat(name.symbol()).isEqualTo("币安人生USDT");
    assertThat(name).hasToString("币安人生usdt@bookTicker");
  }

  /** Found by StreamNamePropertiesTest: these parsed to a symbol that was none, or whose canonical name was refused. */
  @ParameterizedTest
  @ValueSource(strings = {"ΐ@bookTicker", "İ@bookTicker", "xΰ@bookTicker"})
  void refusesSymbolsWhoseCaseMappingIsNoSymbol(String text) {
    assertThatThrownBy(() -> StreamName.parse(text)).isInstanceOf(InvalidStreamNameException.class)
        .hasMessageContaining("no stable upper and lower case");
  }

  @Test
  void keepsSymbolsWhoseCaseMappingChangesLengthButRoundTrips() throws Exception {
    StreamName name = StreamName.parse("straße@bookTicker");
    assertThat(name.symbol()).isEqualTo("STRASSE");
    assertThat(StreamName.parse(name.toString())).isEqualTo(name);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "btcusdt|invalid stream name 'btcusdt': expected <symbol>@bookTicker",
      "btcusdt@trade|unsupported stream type 'trade' in 'btcusdt@trade': only bookTicker streams are served",
      "btcusdt@depth@100ms|unsupported stream type 'depth'",
      "btcusdt@bookTicker@200ms|unsupported interval '200ms' in 'btcusdt@bookTicker@200ms': expected one of 100ms, 250ms, 500ms, 1000ms",
      "btcusdt@bookTicker@100ms@x|unsupported interval '100ms@x'",
      "@bookTicker|empty symbol in stream name '@bookTicker'",
      "btc-usdt@bookTicker|invalid character '-' in symbol: letters and digits only in stream name 'btc-usdt@bookTicker'",
      "btc usdt@bookTicker|invalid character ' '",
      "btc\"usdt@bookTicker|invalid character '\"'",
      "!trade|unsupported stream type 'trade'",
  })
  void rejectsMalformedNamesWithPreciseErrors(String text, String message) {
    assertThatThrownBy(() -> StreamName.parse(text))
        .isInstanceOf(InvalidStreamNameException.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsEmptyAndOverlongNames() {
    assertThatThrownBy(() -> StreamName.parse("")).hasMessage("empty stream name");
    assertThatThrownBy(() -> StreamName.parse(null)).hasMessage("empty stream name");
    assertThatThrownBy(() -> StreamName.parse("a".repeat(33) + "@bookTicker"))
        .hasMessageContaining("symbol longer than 32 characters");
    assertThatThrownBy(() -> StreamName.parse("a".repeat(10_000)))
        .hasMessageContaining("stream name longer than");
  }

  @ParameterizedTest
  @ValueSource(strings = {"btcusdt@bookTicker", "!bookTicker", "ethusdt@bookTicker@1000ms"})
  void canonicalFormParsesToItself(String canonical) throws Exception {
    assertThat(StreamName.parse(StreamName.parse(canonical).toString())).hasToString(canonical);
  }
}
