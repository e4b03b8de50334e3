package io.tickstream.common.tick;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.netty.buffer.ByteBuf;
import io.tickstream.common.tick.MalformedTickException.Reason;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.io.IOException;

/**
 * Decodes book tickers from Binance frames and from Kafka record values, with Jackson's streaming parser.
 *
 * <p>Accepted input, fields in any order, unknown fields skipped:
 * <ul>
 *   <li>a Binance payload {@code {"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}};</li>
 *   <li>a combined-stream envelope {@code {"stream":"bnbusdt@bookTicker","data":{...payload...}}};</li>
 *   <li>a Kafka record value: the payload plus {@code "pt"} (µs since the epoch).</li>
 * </ul>
 * Anything else is rejected with a {@link MalformedTickException} naming the reason: truncated or invalid
 * JSON, input over {@link #MAX_FRAME_BYTES}, a missing field, a wrong JSON type, a {@code u} or {@code pt}
 * outside 0..2<sup>63</sup>-1, a price or quantity that is not a plain non-negative decimal, a symbol that
 * fails {@link Symbols} or has lower-case letters. No other exception leaves this class.
 *
 * <p>Thread-safe and stateless: the Jackson factory is shared and each call uses its own parser (Jackson
 * recycles the parser's buffers per thread). Per call it allocates the parser and the six strings.
 */
public final class BookTickerDecoder {

  /** Largest input accepted. A book ticker is about 150 bytes; anything near this is not one. */
  public static final int MAX_FRAME_BYTES = 4096;
  /** Longest price or quantity string accepted. */
  public static final int MAX_DECIMAL_LENGTH = 40;

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(40)
          .maxStringLength(MAX_FRAME_BYTES).build())
      .build();

  private BookTickerDecoder() {
  }

  /** Decodes {@code bytes} entirely. */
  public static BookTicker decode(byte[] bytes) throws MalformedTickException {
    return decode(bytes, 0, bytes.length);
  }

  /**
   * Decodes a Vert.x buffer (a WebSocket message, say) without copying it when it is backed by an array.
   */
  public static BookTicker decode(Buffer buffer) throws MalformedTickException {
    ByteBuf buf = ((BufferInternal) buffer).getByteBuf();
    if (buf.hasArray()) {
      return decode(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
    }
    if (buf.readableBytes() > MAX_FRAME_BYTES) {
      throw new MalformedTickException(Reason.OVERSIZED, "frame of " + buf.readableBytes() + " bytes exceeds " + MAX_FRAME_BYTES);
    }
    return decode(buffer.getBytes());
  }

  /** Decodes {@code len} bytes of {@code bytes} from {@code off}: a payload, an envelope or a record value. */
  public static BookTicker decode(byte[] bytes, int off, int len) throws MalformedTickException {
    if (len > MAX_FRAME_BYTES) {
      throw new MalformedTickException(Reason.OVERSIZED, "frame of " + len + " bytes exceeds " + MAX_FRAME_BYTES);
    }
    try (JsonParser p = JSON.createParser(bytes, off, len)) {
      return decode(p);
    } catch (JsonEOFException e) {
      throw new MalformedTickException(Reason.INVALID_JSON, "truncated JSON at column "
          + e.getLocation().getColumnNr());
    } catch (JsonParseException e) {
      throw new MalformedTickException(Reason.INVALID_JSON, "invalid JSON at column "
          + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
    } catch (IOException | RuntimeException e) {
      // Jackson reports constraint violations (too long, too deep) as other exception types.
      throw new MalformedTickException(Reason.INVALID_JSON, "invalid JSON: " + e.getClass().getSimpleName());
    }
  }

  private static BookTicker decode(JsonParser p) throws IOException, MalformedTickException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new MalformedTickException(Reason.NOT_A_TICK, "not a JSON object");
    }
    BookTicker tick = readObject(p, true);
    if (p.nextToken() != null) {
      throw new MalformedTickException(Reason.INVALID_JSON, "trailing content after the JSON object");
    }
    return tick;
  }

  /** Reads the object whose START_OBJECT was just consumed; an envelope's "data" recurses once. */
  private static BookTicker readObject(JsonParser p, boolean envelopeAllowed) throws IOException, MalformedTickException {
    long u = -1;
    long pt = BookTicker.NO_TIME;
    String s = null, b = null, bq = null, a = null, aq = null;
    BookTicker data = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      switch (field) {
        case "u" -> u = readLong(p, v, "u");
        case "pt" -> pt = readLong(p, v, "pt");
        case "s" -> s = readSymbol(p, v);
        case "b" -> b = readDecimal(p, v, "b");
        case "B" -> bq = readDecimal(p, v, "B");
        case "a" -> a = readDecimal(p, v, "a");
        case "A" -> aq = readDecimal(p, v, "A");
        case "data" -> {
          if (!envelopeAllowed || v != JsonToken.START_OBJECT) {
            throw new MalformedTickException(Reason.NOT_A_TICK, "field 'data' must be a book ticker object");
          }
          data = readObject(p, false);
        }
        default -> p.skipChildren();
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new MalformedTickException(Reason.INVALID_JSON, "unexpected " + t);
    }
    if (data != null) {
      return data;
    }
    if (u < 0 && s == null && b == null) {
      throw new MalformedTickException(Reason.NOT_A_TICK, "not a book ticker (no u, s, b fields)");
    }
    require(u >= 0, "u");
    require(s != null, "s");
    require(b != null, "b");
    require(bq != null, "B");
    require(a != null, "a");
    require(aq != null, "A");
    return new BookTicker(u, s, b, bq, a, aq, pt);
  }

  private static void require(boolean present, String field) throws MalformedTickException {
    if (!present) {
      throw new MalformedTickException(Reason.MISSING_FIELD, "missing field '" + field + "'");
    }
  }

  private static long readLong(JsonParser p, JsonToken v, String field) throws IOException, MalformedTickException {
    if (v != JsonToken.VALUE_NUMBER_INT) {
      throw new MalformedTickException(Reason.INVALID_FIELD, "field '" + field + "' must be an integer");
    }
    if (p.getNumberType() != JsonParser.NumberType.INT && p.getNumberType() != JsonParser.NumberType.LONG) {
      throw new MalformedTickException(Reason.INVALID_FIELD, "field '" + field + "' out of range");
    }
    long value = p.getLongValue();
    if (value < 0) {
      throw new MalformedTickException(Reason.INVALID_FIELD, "field '" + field + "' must not be negative");
    }
    return value;
  }

  private static String readSymbol(JsonParser p, JsonToken v) throws IOException, MalformedTickException {
    if (v != JsonToken.VALUE_STRING) {
      throw new MalformedTickException(Reason.INVALID_FIELD, "field 's' must be a string");
    }
    String s = p.getText();
    String problem = Symbols.problem(s);
    if (problem != null) {
      throw new MalformedTickException(Reason.INVALID_FIELD, "field 's': " + problem);
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isLowerCase(s.charAt(i))) {
        throw new MalformedTickException(Reason.INVALID_FIELD, "field 's' must be upper case");
      }
    }
    return s;
  }

  private static String readDecimal(JsonParser p, JsonToken v, String field) throws IOException, MalformedTickException {
    if (v != JsonToken.VALUE_STRING) {
      throw new MalformedTickException(Reason.INVALID_FIELD, "field '" + field + "' must be a decimal string");
    }
    String s = p.getText();
    if (!isDecimal(s)) {
      throw new MalformedTickException(Reason.INVALID_FIELD, "field '" + field + "' is not a plain decimal");
    }
    return s;
  }

  /** Digits, optionally one dot followed by digits: what Binance sends, and nothing a client could misread. */
  static boolean isDecimal(String s) {
    int n = s.length();
    if (n == 0 || n > MAX_DECIMAL_LENGTH) {
      return false;
    }
    int i = 0;
    while (i < n && isDigit(s.charAt(i))) {
      i++;
    }
    if (i == 0) {
      return false;
    }
    if (i == n) {
      return true;
    }
    if (s.charAt(i) != '.' || i == n - 1) {
      return false;
    }
    for (i++; i < n; i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
