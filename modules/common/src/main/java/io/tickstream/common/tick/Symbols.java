package io.tickstream.common.tick;

/**
 * What a symbol may look like, in one place for stream names, exchange frames and Kafka keys.
 *
 * <p>A symbol is 1 to {@value #MAX_LENGTH} letters or digits. Letters from any script are allowed because
 * Binance lists a few symbols in Chinese characters; quotes, control characters, separators such as
 * {@code @ / -} and white space are not, which also keeps every symbol safe to write into JSON unescaped.
 */
public final class Symbols {

  /** Longest symbol accepted. Binance's longest spot symbols are around 20 characters. */
  public static final int MAX_LENGTH = 32;

  private Symbols() {
  }

  /**
   * @return {@code null} if {@code symbol} is acceptable, otherwise why not (fit to show to a client)
   */
  public static String problem(CharSequence symbol) {
    if (symbol == null || symbol.isEmpty()) {
      return "empty symbol";
    }
    if (symbol.length() > MAX_LENGTH) {
      return "symbol longer than " + MAX_LENGTH + " characters";
    }
    for (int i = 0; i < symbol.length(); ) {
      int cp = Character.codePointAt(symbol, i);
      if (!Character.isLetterOrDigit(cp)) {
        return "invalid character '" + new String(Character.toChars(cp)) + "' in symbol: letters and digits only";
      }
      i += Character.charCount(cp);
    }
    return null;
  }

  /** True if every character is ASCII, so the symbol's UTF-8 form is its chars one byte each. */
  static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
