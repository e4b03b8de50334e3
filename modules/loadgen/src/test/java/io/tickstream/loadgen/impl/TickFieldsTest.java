package io.tickstream.loadgen.impl;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The byte-level field reader, on the frames a fanout node really sends (encoded by the node's own encoder). */
class TickFieldsTest {

  private static final byte[][] SYMBOLS = {TickFields.ascii("BNB"), TickFields.ascii("BNBUSDT")};
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  private final BookTicker tick =
      new BookTicker(400900217L, "BNBUSDT", "25.35190000", "31.21000000", "25.36520000", "40.66000000", 1764180000123456L);

  @Test
  void rawFrameWithFtGivesUSymbolPtAndFt() {
    assertFields(bytes(encoder.clientRaw(tick, 1764180000123999L)), 1764180000123999L);
  }

  @Test
  void combinedFrameWithFtGivesTheSameFields() {
    assertFields(bytes(encoder.clientCombined(tick, "bnbusdt@bookTicker", 1764180000123999L)), 1764180000123999L);
  }

  @Test
  void frameWithoutFtHasNoFt() {
    assertFields(bytes(encoder.clientRaw(tick, -1)), -1);
    assertFields(bytes(encoder.clientCombined(tick, "bnbusdt@bookTicker", -1)), -1);
  }

  @Test
  void fieldsInAnotherOrderAreStillFound() {
    byte[] m = ascii("{\"pt\":1764180000123456,\"s\":\"BNBUSDT\",\"b\":\"1\",\"u\":400900217}");
    int uEnd = TickFields.after(m, m.length, TickFields.U, 0);
    int sEnd = TickFields.after(m, m.length, TickFields.S, uEnd);
    int ptEnd = TickFields.after(m, m.length, TickFields.PT, sEnd);
    assertThat(TickFields.number(m, m.length, uEnd)).isEqualTo(400900217L);
    assertThat(TickFields.slot(m, m.length, sEnd, SYMBOLS)).isEqualTo(1);
    assertThat(TickFields.number(m, m.length, ptEnd)).isEqualTo(1764180000123456L);
  }

  @Test
  void escapedSymbolIsNotMatchedByteForByte() {
    byte[] m = ascii("{\"u\":1,\"s\":\"\\u0042NBUSDT\",\"pt\":2}");
    int sEnd = TickFields.after(m, m.length, TickFields.S, 0);
    assertThat(TickFields.slot(m, m.length, sEnd, SYMBOLS)).isEqualTo(-1);
  }

  @Test
  void onlyTheFirstLenBytesAreRead() {
    byte[] frame = bytes(encoder.clientRaw(tick, 1764180000123999L));
    byte[] reused = new byte[frame.length + 64];
    java.util.Arrays.fill(reused, (byte) '9');
    System.arraycopy(frame, 0, reused, 0, frame.length);
    int len = frame.length - 1; // cut inside ft's closing brace: ft's digits end at the cut, not in the junk after it
    int ftEnd = TickFields.after(reused, len, TickFields.FT, 0);
    assertThat(TickFields.number(reused, len, ftEnd)).isEqualTo(1764180000123999L);
    assertThat(TickFields.indexOf(reused, 3, TickFields.U, 0)).isEqualTo(-1);
  }

  @Test
  void missingNumberIsMinusOne() {
    byte[] m = ascii("\"u\":x");
    assertThat(TickFields.number(m, m.length, 4)).isEqualTo(-1);
    assertThat(TickFields.number(m, m.length, m.length)).isEqualTo(-1);
  }

  private static void assertFields(byte[] m, long ft) {
    int len = m.length;
    int uEnd = TickFields.after(m, len, TickFields.U, 0);
    int sEnd = TickFields.after(m, len, TickFields.S, uEnd);
    int ptEnd = TickFields.after(m, len, TickFields.PT, sEnd);
    int ftEnd = TickFields.after(m, len, TickFields.FT, ptEnd);
    assertThat(TickFields.number(m, len, uEnd)).isEqualTo(400900217L);
    assertThat(TickFields.slot(m, len, sEnd, SYMBOLS)).isEqualTo(1);
    assertThat(TickFields.number(m, len, ptEnd)).isEqualTo(1764180000123456L);
    assertThat(ftEnd < 0 ? -1 : TickFields.number(m, len, ftEnd)).isEqualTo(ft);
    // The connection's way: s right after u's digits, pt and ft scanned for from the end.
    assertThat(TickFields.after(m, len, TickFields.S, TickFields.skipNumber(m, len, uEnd) + 1)).isEqualTo(sEnd);
    assertThat(TickFields.before(m, len, TickFields.PT, sEnd)).isEqualTo(ptEnd);
    assertThat(TickFields.before(m, len, TickFields.FT, ptEnd)).isEqualTo(ftEnd);
  }

  private static byte[] bytes(Buffer b) {
    return b.getBytes();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
