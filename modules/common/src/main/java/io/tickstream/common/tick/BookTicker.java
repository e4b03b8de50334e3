package io.tickstream.common.tick;

/**
 * One best bid/ask update of one symbol, as Binance sends it, plus the ingest receive time.
 *
 * <p>Prices and quantities stay the decimal strings Binance sent: converting them to binary floating point
 * would change digits that clients compare. Immutable and thread-safe.
 *
 * @param updateId          Binance's {@code u}: order book update id, increasing per symbol
 * @param symbol            Binance's {@code s}, upper case, e.g. {@code BNBUSDT}
 * @param bidPrice          {@code b}
 * @param bidQty            {@code B}
 * @param askPrice          {@code a}
 * @param askQty            {@code A}
 * @param receiveTimeMicros {@code pt}: when the ingest received the exchange frame, µs since the epoch;
 *                          {@link #NO_TIME} before the ingest stamped it
 */
public record BookTicker(long updateId, String symbol, String bidPrice, String bidQty,
                         String askPrice, String askQty, long receiveTimeMicros) {

  /** {@link #receiveTimeMicros()} of a tick the ingest has not stamped yet. */
  public static final long NO_TIME = -1;

  /** A copy stamped with the ingest receive time {@code pt}. */
  public BookTicker withReceiveTime(long micros) {
    return new BookTicker(updateId, symbol, bidPrice, bidQty, askPrice, askQty, micros);
  }

  /** True once the ingest stamped {@code pt}. */
  public boolean hasReceiveTime() {
    return receiveTimeMicros != NO_TIME;
  }
}
