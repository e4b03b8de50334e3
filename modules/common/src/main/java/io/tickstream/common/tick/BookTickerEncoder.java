package io.tickstream.common.tick;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes book tickers into their wire forms, written byte by byte into a reused scratch array and copied
 * once into an exactly sized result.
 *
 * <ul>
 *   <li>{@link #binancePayload}: what Binance sends on a raw stream (the simulator's output);</li>
 *   <li>{@link #binanceCombined}: the same inside {@code {"stream":..,"data":..}};</li>
 *   <li>{@link #recordValue}: the Kafka record value, the payload plus {@code pt};</li>
 *   <li>{@link #clientRaw} and {@link #clientCombined}: what a fanout node sends, with {@code pt} and {@code ft};</li>
 *   <li>{@link #encodeClientRaw} and {@link #encodeClientCombined}: the same, left in the scratch array behind
 *       {@link #HEADROOM} free bytes, for a caller that frames the message and copies it once, header and
 *       payload together, to where it is sent from (the fanout's direct-memory frames).</li>
 * </ul>
 * Field order and string values are exactly Binance's, so a client that compares text sees the exchange's.
 * Strings are written without escaping: the decoder only admits symbols and decimals that need none
 * ({@link Symbols}, {@link BookTickerDecoder}); ticks built by hand must follow the same rules.
 *
 * <p><b>Not thread-safe</b>: the scratch array is reused. Use one encoder per thread, e.g. one per event loop.
 * Each call allocates only its result.
 */
public final class BookTickerEncoder {

  private static final byte[] U = ascii("{\"u\":");
  private static final byte[] S = ascii(",\"s\":\"");
  private static final byte[] B = ascii("\",\"b\":\"");
  private static final byte[] BQ = ascii("\",\"B\":\"");
  private static final byte[] A = ascii("\",\"a\":\"");
  private static final byte[] AQ = ascii("\",\"A\":\"");
  private static final byte[] PT = ascii(",\"pt\":");
  private static final byte[] FT = ascii(",\"ft\":");
  private static final byte[] STREAM = ascii("{\"stream\":\"");
  private static final byte[] DATA = ascii("\",\"data\":");

  /**
   * Free bytes in front of a message left by {@link #encodeClientRaw} and {@link #encodeClientCombined}: room for
   * the longest WebSocket frame header (2, 4 or 10 bytes), which the caller writes once it knows the length.
   */
  public static final int HEADROOM = 10;

  private byte[] scratch = new byte[512];
  private int pos;

  /** Binance's raw-stream payload, without {@code pt}. */
  public byte[] binancePayload(BookTicker t) {
    begin(t, null);
    payload(t, false, -1);
    return Arrays.copyOf(scratch, pos);
  }

  /** Binance's combined-stream message for {@code stream}, without {@code pt}. */
  public byte[] binanceCombined(BookTicker t, String stream) {
    begin(t, stream);
    envelope(stream);
    payload(t, false, -1);
    put((byte) '}');
    return Arrays.copyOf(scratch, pos);
  }

  /** The Kafka record value: the payload plus {@code pt} (which must be stamped). */
  public byte[] recordValue(BookTicker t) {
    if (!t.hasReceiveTime()) {
      throw new IllegalArgumentException("tick of " + t.symbol() + " has no receive time (pt)");
    }
    begin(t, null);
    payload(t, true, -1);
    return Arrays.copyOf(scratch, pos);
  }

  /** A fanout node's raw-stream frame: the payload plus {@code pt} (if stamped) and {@code ft}. */
  public Buffer clientRaw(BookTicker t, long ftMicros) {
    begin(t, null);
    payload(t, t.hasReceiveTime(), ftMicros);
    return Buffer.buffer(pos).appendBytes(scratch, 0, pos);
  }

  /** A fanout node's combined-stream frame for {@code stream}: the envelope around {@link #clientRaw}. */
  public Buffer clientCombined(BookTicker t, String stream, long ftMicros) {
    begin(t, stream);
    envelope(stream);
    payload(t, t.hasReceiveTime(), ftMicros);
    put((byte) '}');
    return Buffer.buffer(pos).appendBytes(scratch, 0, pos);
  }

  /**
   * Encodes what {@link #clientRaw} returns into {@link #scratch()} at {@code [HEADROOM, HEADROOM + length)}, and
   * returns the length. Allocates nothing; the bytes stay valid until this encoder's next call.
   */
  public int encodeClientRaw(BookTicker t, long ftMicros) {
    begin(t, null, HEADROOM);
    payload(t, t.hasReceiveTime(), ftMicros);
    return pos - HEADROOM;
  }

  /** Like {@link #encodeClientRaw}, for what {@link #clientCombined} returns. */
  public int encodeClientCombined(BookTicker t, String stream, long ftMicros) {
    begin(t, stream, HEADROOM);
    envelope(stream);
    payload(t, t.hasReceiveTime(), ftMicros);
    put((byte) '}');
    return pos - HEADROOM;
  }

  /**
   * The scratch array the {@code encode*} methods leave their result in (after {@link #HEADROOM} bytes); the caller
   * may write into the headroom. Replaced by a larger array when a message needs it, so read it after encoding.
   */
  public byte[] scratch() {
    return scratch;
  }

  private void begin(BookTicker t, String stream) {
    begin(t, stream, 0);
  }

  private void begin(BookTicker t, String stream, int start) {
    pos = start;
    // Worst case: every char of every string takes 3 UTF-8 bytes, plus fixed text and three longs.
    int need = start + 160 + 3 * (t.symbol().length() + t.bidPrice().length() + t.bidQty().length()
        + t.askPrice().length() + t.askQty().length() + (stream == null ? 0 : stream.length()));
    if (need > scratch.length) {
      scratch = new byte[Math.max(need, scratch.length * 2)];
    }
  }

  private void envelope(String stream) {
    put(STREAM);
    putString(stream);
    put(DATA);
  }

  private void payload(BookTicker t, boolean withPt, long ftMicros) {
    put(U);
    putLong(t.updateId());
    put(S);
    putString(t.symbol());
    put(B);
    putString(t.bidPrice());
    put(BQ);
    putString(t.bidQty());
    put(A);
    putString(t.askPrice());
    put(AQ);
    putString(t.askQty());
    put((byte) '"');
    if (withPt) {
      put(PT);
      putLong(t.receiveTimeMicros());
    }
    if (ftMicros >= 0) {
      put(FT);
      putLong(ftMicros);
    }
    put((byte) '}');
  }

  private void put(byte b) {
    scratch[pos++] = b;
  }

  private void put(byte[] bytes) {
    System.arraycopy(bytes, 0, scratch, pos, bytes.length);
    pos += bytes.length;
  }

  private void putString(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        byte[] utf8 = s.substring(i).getBytes(StandardCharsets.UTF_8);
        put(utf8);
        return;
      }
      scratch[pos++] = (byte) c;
    }
  }

  private void putLong(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative value " + v);
    }
    int start = pos;
    do {
      scratch[pos++] = (byte) ('0' + (v % 10));
      v /= 10;
    } while (v != 0);
    for (int i = start, j = pos - 1; i < j; i++, j--) {
      byte tmp = scratch[i];
      scratch[i] = scratch[j];
      scratch[j] = tmp;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
