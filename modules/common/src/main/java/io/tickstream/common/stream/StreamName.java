package io.tickstream.common.stream;

import io.tickstream.common.tick.Symbols;

import java.util.List;
import java.util.Locale;

/**
 * A parsed, canonical book-ticker stream name.
 *
 * <pre>
 *   stream   := symbol "@bookTicker" [ "@" interval ]
 *             | "!bookTicker" [ "@" interval ]
 *   symbol   := see {@link Symbols}: 1..32 letters or digits
 *   interval := "100ms" | "250ms" | "500ms" | "1000ms"
 * </pre>
 *
 * Parsing is case-insensitive ({@code BTCUSDT@BOOKTICKER} is accepted); {@link #toString()} gives the
 * canonical form Binance reports: lower-case symbol, {@code @bookTicker} in camel case. Symbols are kept
 * upper case, as they appear in Kafka keys and {@code exchangeInfo}. Instances are immutable and
 * thread-safe; equality is on the canonical form.
 */
public final class StreamName {

  /** Throttle intervals a client may ask for, in milliseconds. 0 means every tick. */
  public static final List<Integer> INTERVALS_MILLIS = List.of(100, 250, 500, 1000);

  private static final String BOOK_TICKER = "bookticker";
  private static final String ALL_PREFIX = "!";
  private static final int MAX_LENGTH = Symbols.MAX_LENGTH + "@bookTicker@1000ms".length() + 1;

  private final String symbol;
  private final int intervalMillis;
  private final String canonical;

  private StreamName(String symbol, int intervalMillis) {
    this.symbol = symbol;
    this.intervalMillis = intervalMillis;
    StringBuilder sb = new StringBuilder(MAX_LENGTH);
    sb.append(symbol == null ? ALL_PREFIX : symbol.toLowerCase(Locale.ROOT) + "@").append("bookTicker");
    if (intervalMillis > 0) {
      sb.append('@').append(intervalMillis).append("ms");
    }
    this.canonical = sb.toString();
  }

  /** The every-tick stream of one symbol. */
  public static StreamName bookTicker(String symbol) throws InvalidStreamNameException {
    return new StreamName(checkSymbol(symbol, symbol), 0);
  }

  /** The stream of every symbol ({@code !bookTicker}), conflated per symbol. */
  public static StreamName allBookTickers() {
    return ALL;
  }

  private static final StreamName ALL = new StreamName(null, 0);

  /**
   * Parses a stream name as a client or the exchange writes it.
   *
   * @throws InvalidStreamNameException with a message naming the offending part
   */
  public static StreamName parse(CharSequence text) throws InvalidStreamNameException {
    if (text == null || text.isEmpty()) {
      throw new InvalidStreamNameException("empty stream name");
    }
    if (text.length() > MAX_LENGTH) {
      throw new InvalidStreamNameException("stream name longer than " + MAX_LENGTH + " characters");
    }
    String name = text.toString();
    boolean all = name.startsWith(ALL_PREFIX);
    // "!bookTicker" has no '@' between the all-symbols marker and the type.
    int typeStart = all ? 1 : name.indexOf('@') + 1;
    if (typeStart == 0) {
      throw new InvalidStreamNameException("invalid stream name '" + name + "': expected <symbol>@bookTicker");
    }
    String head = all ? ALL_PREFIX : name.substring(0, typeStart - 1);
    int second = name.indexOf('@', typeStart);
    String type = second < 0 ? name.substring(typeStart) : name.substring(typeStart, second);
    if (!type.equalsIgnoreCase(BOOK_TICKER)) {
      throw new InvalidStreamNameException("unsupported stream type '" + type + "' in '" + name
          + "': only bookTicker streams are served");
    }
    int interval = second < 0 ? 0 : parseInterval(name, name.substring(second + 1));
    if (all) {
      return interval == 0 ? ALL : new StreamName(null, interval);
    }
    return new StreamName(checkSymbol(head, name), interval);
  }

  private static int parseInterval(String name, String text) throws InvalidStreamNameException {
    String lower = text.toLowerCase(Locale.ROOT);
    for (int millis : INTERVALS_MILLIS) {
      if (lower.equals(millis + "ms")) {
        return millis;
      }
    }
    throw new InvalidStreamNameException("unsupported interval '" + text + "' in '" + name
        + "': expected one of 100ms, 250ms, 500ms, 1000ms");
  }

  private static String checkSymbol(String symbol, String name) throws InvalidStreamNameException {
    String problem = Symbols.problem(symbol);
    if (problem != null) {
      throw new InvalidStreamNameException(problem + " in stream name '" + name + "'");
    }
    // A few letters change length or gain combining marks when their case changes ('ΐ' upper-cases to 'Ϊ́', 'İ'
    // lower-cases to 'i̇'): the symbol kept must still be a symbol, and the canonical (lower-case) name must parse
    // back to the same stream.
    String upper = symbol.toUpperCase(Locale.ROOT);
    String lower = upper.toLowerCase(Locale.ROOT);
    if (Symbols.problem(upper) != null || Symbols.problem(lower) != null || !lower.toUpperCase(Locale.ROOT).equals(upper)) {
      throw new InvalidStreamNameException("symbol '" + symbol + "' has no stable upper and lower case in stream name '"
          + name + "'");
    }
    return upper;
  }

  /** Upper-case symbol, or {@code null} for {@code !bookTicker}. */
  public String symbol() {
    return symbol;
  }

  /** True for {@code !bookTicker}, the stream of every symbol. */
  public boolean isAllSymbols() {
    return symbol == null;
  }

  /** Minimum milliseconds between two updates of one symbol; 0 for every tick. */
  public int intervalMillis() {
    return intervalMillis;
  }

  /** The same stream without a throttle interval. */
  public StreamName everyTick() {
    return intervalMillis == 0 ? this : (symbol == null ? ALL : new StreamName(symbol, 0));
  }

  /** Canonical form, e.g. {@code btcusdt@bookTicker@100ms}. */
  @Override
  public String toString() {
    return canonical;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StreamName other && canonical.equals(other.canonical);
  }

  @Override
  public int hashCode() {
    return canonical.hashCode();
  }
}
