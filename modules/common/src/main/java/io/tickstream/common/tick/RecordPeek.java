package io.tickstream.common.tick;

import java.nio.charset.StandardCharsets;

/**
 * Reads a Kafka record value's {@code u}, symbol and {@code pt} from its bytes without decoding it, where the value
 * has the layout {@link BookTickerEncoder#recordValue} writes: {@code {"u":<u>,"s":"<symbol>",...,"pt":<pt>}}.
 *
 * <p>Why: a fanout node with the express lane on receives every tick twice (Kafka's copy and the express lane's) and
 * delivers the first; the second is dropped by its {@code u}. Reading those three fields costs a scan of the first and
 * last few bytes; decoding and encoding the copy only to throw it away cost two JSON parses and four encodes per tick
 * (docs/benchmarks.md, "Express lane: the late copy"). A value laid out otherwise, or with a field this does not
 * accept, gives {@code false}: the caller then decodes it fully, and {@link BookTickerDecoder} judges it. What this
 * accepts is not validated beyond its shape (the symbol is not checked against {@link Symbols}): a caller may drop a
 * value by what it reads, but must decode one before it keeps or stores anything of it.
 *
 * <p>Threading: one instance per thread; {@link #read} overwrites its fields. Allocation: the symbol's string, one
 * per read.
 */
public final class RecordPeek {

  private static final byte[] U = ascii("{\"u\":");
  private static final byte[] S = ascii(",\"s\":\"");
  private static final byte[] PT = ascii(",\"pt\":");
  /** Digits of the largest {@code u} or {@code pt} accepted: 18 keep any value inside a long. */
  private static final int MAX_DIGITS = 18;

  /** The record's {@code u}, after a successful {@link #read}. */
  public long updateId;
  /** The record's symbol, after a successful {@link #read}. */
  public String symbol;
  /** The record's {@code pt} (µs since the epoch), after a successful {@link #read}. */
  public long receiveTimeMicros;

  /** Reads {@code bytes[off, off + len)}; false if it does not have the record value's layout (then decode it). */
  public boolean read(byte[] bytes, int off, int len) {
    int end = off + len;
    if (len > BookTickerDecoder.MAX_FRAME_BYTES || !startsWith(bytes, off, end, U)) {
      return false;
    }
    int p = off + U.length;
    long u = 0;
    int digits = 0;
    while (p < end && isDigit(bytes[p]) && digits < MAX_DIGITS) {
      u = u * 10 + (bytes[p++] - '0');
      digits++;
    }
    if (digits == 0 || !startsWith(bytes, p, end, S)) {
      return false;
    }
    int symbolStart = p + S.length;
    int q = symbolStart;
    while (q < end && q - symbolStart <= Symbols.MAX_LENGTH && isSymbolByte(bytes[q])) {
      q++;
    }
    if (q == symbolStart || q - symbolStart > Symbols.MAX_LENGTH || q >= end || bytes[q] != '"') {
      return false;
    }
    // From the end: ,"pt":<digits>}
    int last = end - 1;
    if (last <= q || bytes[last] != '}') {
      return false;
    }
    int r = last;
    while (r > q && isDigit(bytes[r - 1])) {
      r--;
    }
    int ptDigits = last - r;
    if (ptDigits == 0 || ptDigits > MAX_DIGITS || r - PT.length <= q || !startsWith(bytes, r - PT.length, end, PT)) {
      return false;
    }
    long pt = 0;
    for (int i = r; i < last; i++) {
      pt = pt * 10 + (bytes[i] - '0');
    }
    this.updateId = u;
    this.symbol = new String(bytes, symbolStart, q - symbolStart, StandardCharsets.ISO_8859_1);
    this.receiveTimeMicros = pt;
    return true;
  }

  private static boolean startsWith(byte[] bytes, int from, int end, byte[] prefix) {
    if (end - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /** Upper-case letters and digits: what a Binance symbol is made of; anything else sends the value to the decoder. */
  private static boolean isSymbolByte(byte b) {
    return (b >= 'A' && b <= 'Z') || isDigit(b);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
