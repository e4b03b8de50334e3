package io.tickstream.common.tick;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the Kafka record codec: every valid tick survives encoder then decoder unchanged, in every wire form;
 * any bytes at all (random, truncated, mutated) decode to a valid tick or are refused with
 * {@link MalformedTickException}, never with anything else. Run with another seed or more tries: see
 * {@code docs/security/testing.md}.
 */
class BookTickerDecoderPropertiesTest {

  private final BookTickerEncoder encoder = new BookTickerEncoder();

  @Property
  void aRecordValueDecodesToTheTickItWasEncodedFrom(@ForAll("stampedTicks") BookTicker tick) throws Exception {
    assertThat(BookTickerDecoder.decode(encoder.recordValue(tick))).isEqualTo(tick);
  }

  @Property
  void binancesRawAndCombinedFormsDecodeToTheTick(@ForAll("stampedTicks") BookTicker stamped) throws Exception {
    BookTicker tick = new BookTicker(stamped.updateId(), stamped.symbol(), stamped.bidPrice(), stamped.bidQty(),
        stamped.askPrice(), stamped.askQty(), BookTicker.NO_TIME);
    assertThat(BookTickerDecoder.decode(encoder.binancePayload(tick))).isEqualTo(tick);
    assertThat(BookTickerDecoder.decode(encoder.binanceCombined(tick, "x@bookTicker"))).isEqualTo(tick);
  }

  @Property
  void anyBytesDecodeToAValidTickOrAreRefused(@ForAll @Size(max = 300) byte[] bytes) {
    assertDecodesOrIsRefused(bytes);
  }

  @Property
  void anyRangeOfAnyArrayDecodesOrIsRefused(@ForAll @Size(max = 200) byte[] bytes, @ForAll @IntRange(max = 200) int from,
      @ForAll @IntRange(max = 200) int length) {
    int off = Math.min(from, bytes.length);
    int len = Math.min(length, bytes.length - off);
    try {
      check(BookTickerDecoder.decode(bytes, off, len));
    } catch (MalformedTickException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Property
  void everyTruncatedRecordIsRefused(@ForAll("stampedTicks") BookTicker tick, @ForAll @IntRange(max = 10_000) int cut) {
    byte[] value = encoder.recordValue(tick);
    byte[] prefix = Arrays.copyOf(value, cut % value.length);
    assertThat(refusal(prefix)).as("prefix of %d bytes", prefix.length).isNotNull();
  }

  @Property
  void aMutatedRecordDecodesToAValidTickOrIsRefused(@ForAll("stampedTicks") BookTicker tick,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(max = 10_000) Integer> positions, @ForAll byte value,
      @ForAll("mutations") int kind) {
    byte[] bytes = encoder.recordValue(tick);
    for (int p : positions) {
      int at = p % bytes.length;
      bytes = switch (kind) {
        case 0 -> { // overwrite
          bytes[at] = value;
          yield bytes;
        }
        case 1 -> { // delete
          byte[] shorter = new byte[bytes.length - 1];
          System.arraycopy(bytes, 0, shorter, 0, at);
          System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
          yield shorter.length == 0 ? new byte[] {value} : shorter;
        }
        default -> { // insert
          byte[] longer = new byte[bytes.length + 1];
          System.arraycopy(bytes, 0, longer, 0, at);
          longer[at] = value;
          System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
          yield longer;
        }
      };
    }
    assertDecodesOrIsRefused(bytes);
  }

  @Property(tries = 100)
  void inputOverTheLimitIsRefusedAsOversized(@ForAll @IntRange(min = 1, max = 10_000) int extra) {
    byte[] big = new byte[BookTickerDecoder.MAX_FRAME_BYTES + extra];
    Arrays.fill(big, (byte) ' ');
    assertThat(refusal(big).reason()).isEqualTo(MalformedTickException.Reason.OVERSIZED);
  }

  private static MalformedTickException refusal(byte[] bytes) {
    try {
      BookTicker t = BookTickerDecoder.decode(bytes);
      check(t);
      return null;
    } catch (MalformedTickException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotBlank();
      return e;
    }
  }

  private static void assertDecodesOrIsRefused(byte[] bytes) {
    refusal(bytes);
  }

  /** What the decoder promises of every tick it returns. */
  private static void check(BookTicker t) {
    assertThat(t.updateId()).isNotNegative();
    assertThat(t.receiveTimeMicros()).isGreaterThanOrEqualTo(BookTicker.NO_TIME);
    assertThat(Symbols.problem(t.symbol())).isNull();
    assertThat(t.symbol().chars().noneMatch(Character::isLowerCase)).isTrue();
    for (String d : List.of(t.bidPrice(), t.bidQty(), t.askPrice(), t.askQty())) {
      assertThat(BookTickerDecoder.isDecimal(d)).as(d).isTrue();
    }
  }

  @Provide
  Arbitrary<Integer> mutations() {
    return Arbitraries.integers().between(0, 2);
  }

  @Provide
  Arbitrary<BookTicker> stampedTicks() {
    Arbitrary<String> symbol = Arbitraries.strings().withCharRange('A', 'Z').numeric()
        .withCharRange('\u4e00', '\u4e20').withChars('\u0391', '\u0416') // CJK, Greek and Cyrillic capitals
        .ofMinLength(1).ofMaxLength(Symbols.MAX_LENGTH);
    Arbitrary<String> decimal = Combinators.combine(Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20),
            Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(19).injectNull(0.2))
        .as((whole, frac) -> frac == null ? whole : whole + "." + frac);
    Arbitrary<Long> u = Arbitraries.oneOf(Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.of(0L, Long.MAX_VALUE));
    return Combinators.combine(u, symbol, decimal, decimal, decimal, decimal, u)
        .as(BookTicker::new);
  }
}
