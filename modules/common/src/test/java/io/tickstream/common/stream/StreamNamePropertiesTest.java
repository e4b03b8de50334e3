package io.tickstream.common.stream;

import io.tickstream.common.tick.Symbols;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Properties of the stream-name grammar ({@link StreamName}): every valid name parses whatever its case, to the
 * canonical form, which parses to itself; every other text is refused with {@link InvalidStreamNameException} and
 * nothing else. Run with another seed or more tries: see {@code docs/security/testing.md}.
 */
class StreamNamePropertiesTest {

  /** Letters that case-map oddly: to two letters, to a letter plus a combining mark, titlecase, dotless/dotted i. */
  private static final String TRICKY_LETTERS = "ßİıǅǈǋﬀﬁﬃŉΐΰẞσςΣµÿǰſ";

  @Property
  void validNamesParseWhateverTheirCaseToTheirCanonicalForm(@ForAll("asciiSymbols") String symbol,
      @ForAll("intervals") String interval, @ForAll("caseMasks") long mask) throws Exception {
    String text = randomCase(symbol + "@bookTicker" + interval, mask);
    StreamName name = StreamName.parse(text);
    assertThat(name.symbol()).isEqualTo(symbol.toUpperCase(Locale.ROOT));
    assertThat(name.intervalMillis()).isEqualTo(interval.isEmpty() ? 0 : Integer.parseInt(interval.substring(1, interval.length() - 2)));
    assertThat(name).hasToString(symbol.toLowerCase(Locale.ROOT) + "@bookTicker" + interval);
    assertThat(StreamName.parse(name.toString())).isEqualTo(name).hasToString(name.toString());
    assertThat(StreamName.bookTicker(symbol)).isEqualTo(name.everyTick());
  }

  @Property
  void theAllSymbolsStreamParsesWhateverItsCase(@ForAll("intervals") String interval, @ForAll("caseMasks") long mask)
      throws Exception {
    StreamName name = StreamName.parse(randomCase("!bookTicker" + interval, mask));
    assertThat(name.isAllSymbols()).isTrue();
    assertThat(name).hasToString("!bookTicker" + interval);
  }

  /** Whatever is accepted is canonical-stable: its canonical form parses back to the same stream, symbol included. */
  @Property
  void anyAcceptedNameRoundTripsThroughItsCanonicalForm(@ForAll("nearlyValidNames") String text) {
    assertParsesOrIsRefused(text);
  }

  @Property
  void anyTextParsesOrIsRefusedWithInvalidStreamName(@ForAll @StringLength(max = 80) String text) {
    assertParsesOrIsRefused(text);
  }

  @Property
  void aSymbolWithAnythingButLettersAndDigitsIsRefused(@ForAll("asciiSymbols") String symbol,
      @ForAll("nonSymbolChars") char bad, @ForAll("intervals") String interval) {
    String text = symbol + bad + "@bookTicker" + interval;
    assertThatThrownBy(() -> StreamName.parse(text)).isInstanceOf(InvalidStreamNameException.class);
  }

  @Property
  void otherTypesAndIntervalsAreRefused(@ForAll("asciiSymbols") String symbol, @ForAll("notBookTicker") String type) {
    assertThatThrownBy(() -> StreamName.parse(symbol + "@" + type)).isInstanceOf(InvalidStreamNameException.class);
    assertThatThrownBy(() -> StreamName.parse(symbol + "@bookTicker@" + type)).isInstanceOf(InvalidStreamNameException.class);
  }

  private static void assertParsesOrIsRefused(String text) {
    StreamName name;
    try {
      name = StreamName.parse(text);
    } catch (InvalidStreamNameException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(name.isAllSymbols() || Symbols.problem(name.symbol()) == null).as("symbol of %s", text).isTrue();
    try {
      assertThat(StreamName.parse(name.toString())).as("canonical form of %s", text).isEqualTo(name);
      assertThat(StreamName.parse(name.toString()).symbol()).isEqualTo(name.symbol());
    } catch (InvalidStreamNameException e) {
      throw new AssertionError("'" + text + "' was accepted but its canonical form '" + name + "' is refused: "
          + e.getMessage(), e);
    }
  }

  /** Upper-cases the characters whose bit in {@code mask} is set (cycling over 64 bits), lower-cases the rest. */
  private static String randomCase(String s, long mask) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(((mask >>> (i & 63)) & 1) != 0 ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    return sb.toString();
  }

  @Provide
  Arbitrary<String> asciiSymbols() {
    return Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').numeric().ofMinLength(1)
        .ofMaxLength(Symbols.MAX_LENGTH);
  }

  @Provide
  Arbitrary<String> intervals() {
    return Arbitraries.of("", "@100ms", "@250ms", "@500ms", "@1000ms");
  }

  @Provide
  Arbitrary<Long> caseMasks() {
    return Arbitraries.longs();
  }

  @Provide
  Arbitrary<Character> nonSymbolChars() {
    return Arbitraries.chars().filter(c -> !Character.isLetterOrDigit(c) && c != '@' && !Character.isSurrogate(c));
  }

  @Provide
  Arbitrary<String> notBookTicker() {
    return Arbitraries.oneOf(Arbitraries.of("trade", "depth", "bookTicker@", "bookTicker@0ms", "200ms", "100", "ms",
            "bookTickerx", "", "@", "100ms@100ms"),
        Arbitraries.strings().ofMaxLength(12).filter(s -> !s.equalsIgnoreCase("bookTicker")
            && !s.matches("(?i)(100|250|500|1000)ms")));
  }

  /** Names built from the grammar's own pieces, with symbols of letters from every script and odd case mappings. */
  @Provide
  Arbitrary<String> nearlyValidNames() {
    Arbitrary<String> symbol = Arbitraries.strings()
        .withChars(TRICKY_LETTERS.toCharArray())
        .withCharRange('a', 'z').withCharRange('A', 'Z').numeric()
        .withCharRange('\u0370', '\u03ff').withCharRange('\u0400', '\u04ff').withCharRange('\u4e00', '\u4e20')
        .withChars('@', '!', '-', ' ', '\u0307')
        .ofMinLength(0).ofMaxLength(40);
    Arbitrary<String> type = Arbitraries.of("@bookTicker", "@BOOKTICKER", "@bookticker", "bookTicker", "@trade", "");
    return Combinators.combine(Arbitraries.of("", "!"), symbol, type, intervals(), caseMasks())
        .as((all, s, t, i, mask) -> all + randomCase(s, mask) + t + i);
  }
}
