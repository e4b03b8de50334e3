package io.tickstream.common.tick;

import io.tickstream.common.tick.MalformedTickException.Reason;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BookTickerCodecTest {

  private static final String PAYLOAD =
      "{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\"}";
  private static final BookTicker TICK =
      new BookTicker(400900217, "BNBUSDT", "25.35190000", "31.21000000", "25.36520000", "40.66000000", BookTicker.NO_TIME);

  private final BookTickerEncoder encoder = new BookTickerEncoder();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void decodesBinancePayload() throws Exception {
    assertThat(BookTickerDecoder.decode(utf8(PAYLOAD))).isEqualTo(TICK);
  }

  @Test
  void decodesCombinedEnvelopeWhateverTheFieldOrder() throws Exception {
    assertThat(BookTickerDecoder.decode(utf8("{\"stream\":\"bnbusdt@bookTicker\",\"data\":" + PAYLOAD + "}"))).isEqualTo(TICK);
    assertThat(BookTickerDecoder.decode(utf8("{\"data\":" + PAYLOAD + ",\"stream\":\"bnbusdt@bookTicker\"}"))).isEqualTo(TICK);
  }

  @Test
  void skipsUnknownFieldsAndAcceptsAnyFieldOrder() throws Exception {
    String shuffled = "{\"A\":\"40.66000000\",\"x\":{\"nested\":[1,2,{\"y\":null}]},\"a\":\"25.36520000\",\"B\":\"31.21000000\","
        + "\"b\":\"25.35190000\",\"s\":\"BNBUSDT\",\"E\":1764180000000,\"u\":400900217}";
    assertThat(BookTickerDecoder.decode(utf8(shuffled))).isEqualTo(TICK);
  }

  @Test
  void binancePayloadRoundTripsByteForByte() throws Exception {
    assertThat(text(encoder.binancePayload(BookTickerDecoder.decode(utf8(PAYLOAD))))).isEqualTo(PAYLOAD);
    assertThat(text(encoder.binanceCombined(TICK, "bnbusdt@bookTicker")))
        .isEqualTo("{\"stream\":\"bnbusdt@bookTicker\",\"data\":" + PAYLOAD + "}");
  }

  @Test
  void recordValueIsThePayloadPlusPt() throws Exception {
    BookTicker stamped = TICK.withReceiveTime(1764180000123456L);
    byte[] value = encoder.recordValue(stamped);
    assertThat(text(value)).isEqualTo(PAYLOAD.substring(0, PAYLOAD.length() - 1) + ",\"pt\":1764180000123456}");
    assertThat(BookTickerDecoder.decode(value)).isEqualTo(stamped);
  }

  @Test
  void recordValueRequiresReceiveTime() {
    assertThatThrownBy(() -> encoder.recordValue(TICK)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no receive time");
  }

  @Test
  void clientFramesCarryPtAndFt() throws Exception {
    BookTicker stamped = TICK.withReceiveTime(1764180000123456L);
    String raw = encoder.clientRaw(stamped, 1764180000125000L).toString();
    assertThat(raw).isEqualTo(PAYLOAD.substring(0, PAYLOAD.length() - 1) + ",\"pt\":1764180000123456,\"ft\":1764180000125000}");
    JsonObject combined = new JsonObject(encoder.clientCombined(stamped, "bnbusdt@bookTicker@100ms", 1764180000125000L));
    assertThat(combined.getString("stream")).isEqualTo("bnbusdt@bookTicker@100ms");
    assertThat(combined.getJsonObject("data").encode()).isEqualTo(raw);
    assertThat(BookTickerDecoder.decode(utf8(combined.encode()))).isEqualTo(stamped);
  }

  @Test
  void encodingIsValidJsonForExtremeValues() throws Exception {
    BookTicker big = new BookTicker(Long.MAX_VALUE, "1000SATSUSDT", "0.00000001", "0", "99999999999.99999999", "1", 0);
    byte[] value = encoder.recordValue(big);
    assertThat(new JsonObject(text(value)).getLong("u")).isEqualTo(Long.MAX_VALUE);
    assertThat(BookTickerDecoder.decode(value)).isEqualTo(big);
  }

  @Test
  void nonLatinSymbolsRoundTripAsUtf8() throws Exception {
    BookTicker tick = new BookTicker(7, "币安人生USDT", "0.23110000", "1200.00000000", "0.23120000", "15.00000000", 1L);
    byte[] value = encoder.recordValue(tick);
    assertThat(text(value)).contains("\"s\":\"币安人生USDT\"");
    assertThat(BookTickerDecoder.decode(value)).isEqualTo(tick);
    assertThat(new JsonObject(encoder.clientCombined(tick, "币安人生usdt@bookTicker", 2L)).getJsonObject("data").getString("s"))
        .isEqualTo("币安人生USDT");
  }

  @Test
  void scratchGrowsForLongHandBuiltTicks() throws Exception {
    String longDecimal = "1".repeat(40);
    BookTicker tick = new BookTicker(1, "A".repeat(32), longDecimal, longDecimal, longDecimal, longDecimal, 1);
    for (int i = 0; i < 3; i++) {
      assertThat(BookTickerDecoder.decode(encoder.recordValue(tick))).isEqualTo(tick);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "truncated|{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35|INVALID_JSON|truncated JSON",
      "cut after object start|{|INVALID_JSON|truncated JSON",
      "not JSON|hello|INVALID_JSON|invalid JSON",
      "empty|``|NOT_A_TICK|not a JSON object",
      "array|[1,2]|NOT_A_TICK|not a JSON object",
      "string|\"x\"|NOT_A_TICK|not a JSON object",
      "trailing garbage|{\"u\":1,\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}xyz|INVALID_JSON|",
      "two objects|{\"u\":1,\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}{}|INVALID_JSON|trailing content",
      "control reply|{\"result\":null,\"id\":1}|NOT_A_TICK|not a book ticker",
      "server shutdown|{\"stream\":\"!serverShutdown\",\"data\":{\"e\":\"serverShutdown\",\"E\":1}}|NOT_A_TICK|not a book ticker",
      "missing u|{\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|MISSING_FIELD|missing field 'u'",
      "missing A|{\"u\":1,\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\"}|MISSING_FIELD|missing field 'A'",
      "missing s|{\"u\":1,\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|MISSING_FIELD|missing field 's'",
      "u as string|{\"u\":\"1\",\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'u' must be an integer",
      "u as float|{\"u\":1.5,\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'u' must be an integer",
      "u negative|{\"u\":-1,\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|must not be negative",
      "u beyond long|{\"u\":9223372036854775808,\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'u' out of range",
      "u huge|{\"u\":123456789012345678901234567890123456789,\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'u' out of range",
      "u absurdly long|{\"u\":1234567890123456789012345678901234567890123456789012345678901234567890,\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_JSON|",
      "pt as string|{\"u\":1,\"s\":\"A\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",\"pt\":\"5\"}|INVALID_FIELD|field 'pt' must be an integer",
      "price as number|{\"u\":1,\"s\":\"A\",\"b\":25.3,\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'b' must be a decimal string",
      "price null|{\"u\":1,\"s\":\"A\",\"b\":null,\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'b' must be a decimal string",
      "price with exponent|{\"u\":1,\"s\":\"A\",\"b\":\"1e5\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'b' is not a plain decimal",
      "negative qty|{\"u\":1,\"s\":\"A\",\"b\":\"1\",\"B\":\"-1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'B' is not a plain decimal",
      "price with quote|{\"u\":1,\"s\":\"A\",\"b\":\"1\\\"\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'b' is not a plain decimal",
      "trailing dot|{\"u\":1,\"s\":\"A\",\"b\":\"1.\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 'b' is not a plain decimal",
      "symbol as number|{\"u\":1,\"s\":5,\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 's' must be a string",
      "lower-case symbol|{\"u\":1,\"s\":\"bnbusdt\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|field 's' must be upper case",
      "symbol with quote|{\"u\":1,\"s\":\"BNB\\\"USDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|invalid character '\"'",
      "symbol with control char|{\"u\":1,\"s\":\"BNB\\u0000USDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|invalid character",
      "symbol with emoji|{\"u\":1,\"s\":\"BNB\uD83D\uDE80\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|invalid character",
      "empty symbol|{\"u\":1,\"s\":\"\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}|INVALID_FIELD|empty symbol",
      "data not object|{\"stream\":\"x\",\"data\":[1]}|NOT_A_TICK|field 'data' must be a book ticker object",
      "nested envelope|{\"data\":{\"data\":{}}}|NOT_A_TICK|field 'data' must be a book ticker object",
  })
  void rejectsMalformedInputWithReason(String name, String input, Reason reason, String message) {
    assertThatThrownBy(() -> BookTickerDecoder.decode(utf8(input)))
        .isInstanceOfSatisfying(MalformedTickException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContaining(message == null ? "" : message);
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] bad = utf8(PAYLOAD);
    bad[22] = (byte) 0xC3; // a lead byte followed by an ASCII letter: not UTF-8
    assertThatThrownBy(() -> BookTickerDecoder.decode(bad)).isInstanceOf(MalformedTickException.class);
  }

  @Test
  void rejectsOversizedInputWithoutParsingIt() {
    byte[] huge = new byte[BookTickerDecoder.MAX_FRAME_BYTES + 1];
    assertThatThrownBy(() -> BookTickerDecoder.decode(huge))
        .isInstanceOfSatisfying(MalformedTickException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OVERSIZED));
  }

  @Test
  void rejectsDeepNestingInsideAllowedSize() {
    String deep = "{\"x\":" + "[".repeat(500) + "]".repeat(500) + ",\"u\":1}";
    assertThatThrownBy(() -> BookTickerDecoder.decode(utf8(deep)))
        .isInstanceOfSatisfying(MalformedTickException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_JSON));
  }

  @Test
  void decodesVertxBuffersHeapDirectAndSliced() throws Exception {
    io.vertx.core.buffer.Buffer heap = io.vertx.core.buffer.Buffer.buffer(PAYLOAD);
    assertThat(BookTickerDecoder.decode(heap)).isEqualTo(TICK);
    io.vertx.core.buffer.Buffer sliced = io.vertx.core.buffer.Buffer.buffer("xx" + PAYLOAD + "yy").slice(2, 2 + PAYLOAD.length());
    assertThat(BookTickerDecoder.decode(sliced)).isEqualTo(TICK);
    io.netty.buffer.ByteBuf direct = io.netty.buffer.Unpooled.directBuffer().writeBytes(utf8(PAYLOAD));
    assertThat(BookTickerDecoder.decode(io.vertx.core.internal.buffer.BufferInternal.buffer(direct))).isEqualTo(TICK);
    io.netty.buffer.ByteBuf hugeDirect = io.netty.buffer.Unpooled.directBuffer().writeBytes(new byte[BookTickerDecoder.MAX_FRAME_BYTES + 1]);
    assertThatThrownBy(() -> BookTickerDecoder.decode(io.vertx.core.internal.buffer.BufferInternal.buffer(hugeDirect)))
        .isInstanceOfSatisfying(MalformedTickException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OVERSIZED));
  }

  @Test
  void decodesSliceOfALargerArray() throws Exception {
    byte[] padded = utf8("xx" + PAYLOAD + "yy");
    assertThat(BookTickerDecoder.decode(padded, 2, padded.length - 4)).isEqualTo(TICK);
  }

  @Test
  void rejectionIsCheapNoStackTrace() {
    assertThatThrownBy(() -> BookTickerDecoder.decode(utf8("{")))
        .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
  }
}
