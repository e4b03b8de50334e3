package io.tickstream.simulator.impl;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.simulator.SymbolStatus;

import java.util.List;
import java.util.Locale;

/**
 * One symbol of the simulated exchange: its listing, its best bid/ask random walk and its subscribers.
 *
 * <p>Prices and quantities are whole multiples of a tick size and a lot size, held as longs in units of
 * 1e-8 (Binance's eight decimals), so a step allocates nothing and formatting is exact. The walk draws from
 * this symbol's own SplitMix64 stream seeded from the simulator seed and the symbol name: the n-th tick of a
 * symbol is the same in every run with the same seed, whatever the other symbols do.
 *
 * <p><b>Threading:</b> confined to the simulator's context (one event loop); not thread-safe.
 */
final class SymbolState {

  static final long E8 = 100_000_000L;

  final String symbol;
  final String baseAsset;
  final String quoteAsset;
  /** Canonical stream name, e.g. {@code btcusdt@bookTicker}: the combined envelope's {@code stream}. */
  final String streamName;
  /** Connections subscribed to this symbol's stream; shared with {@link SubscriberRegistry}. */
  final List<StreamConnection> subscribers;
  /** Popularity rank (0 = busiest) for the Zipf schedule. */
  final int rank;
  SymbolStatus status;

  private long rng;
  private long updateId;
  private long bidTicks;
  private int spreadTicks;
  private final long tickUnits;
  private final long lotUnits;
  private final long maxLots;
  /** Largest lot, in units of 1e-8: 10,000 whole units; times maxLots it stays below 2^63. */
  static final long MAX_LOT_UNITS = 1_000_000_000_000L;
  private final long anchorTicks;
  private long bidLots;
  private long askLots;

  SymbolState(String symbol, String baseAsset, String quoteAsset, SymbolStatus status, int rank, double price,
              long seed, List<StreamConnection> subscribers) {
    this.symbol = symbol;
    this.baseAsset = baseAsset;
    this.quoteAsset = quoteAsset;
    this.status = status;
    this.rank = rank;
    this.streamName = symbol.toLowerCase(Locale.ROOT) + "@bookTicker";
    this.subscribers = subscribers;
    this.rng = SplitMix.derive(seed, symbol);
    long priceUnits = Math.max(1, Math.round(price * E8));
    // About six significant digits of price, like Binance's tick sizes (BTCUSDT 0.01, XRPUSDT 0.0001).
    this.tickUnits = pow10Floor(Math.max(1, priceUnits / 1_000_000));
    this.anchorTicks = Math.max(10, priceUnits / tickUnits);
    this.bidTicks = anchorTicks;
    this.spreadTicks = 1;
    // Lots sized so that a best level is worth roughly $10..$100k whatever the price.
    double qtyForThousand = Math.max(1e-8, 1000.0 / Math.max(price, 1e-8));
    this.maxLots = 100_000;
    // Capped so that maxLots * lotUnits stays far inside a long: a BTC-quoted meme coin at 1e-8 would
    // otherwise ask for lots of 1e15 units and overflow into negative quantities.
    this.lotUnits = Math.min(MAX_LOT_UNITS, pow10Floor(Math.max(1, Math.round(qtyForThousand * E8 / 1000))));
    // Binance's update ids are large and per symbol: start somewhere between 1e8 and 1e11.
    this.updateId = 100_000_000L + Math.floorMod(next(), 100_000_000_000L);
    rollQuantities();
  }

  private static long pow10Floor(long v) {
    long p = 1;
    while (p <= v / 10) {
      p *= 10;
    }
    return p;
  }

  private long next() {
    rng = SplitMix.advance(rng);
    return SplitMix.mix(rng);
  }

  /** One book update: {@code u} + 1, a small price step, fresh quantities. Allocates nothing. */
  void advance() {
    updateId++;
    long r = next();
    int move = (int) (r & 0xF);
    long drift = bidTicks < anchorTicks / 4 ? 1 : bidTicks > anchorTicks * 4 ? -1 : 0;
    if (move < 3) {
      bidTicks -= 1;
    } else if (move < 6) {
      bidTicks += 1;
    } else if (move == 6) {
      bidTicks += drift;
    }
    if (bidTicks < 1) {
      bidTicks = 1;
    }
    if (((r >>> 4) & 0x7) == 0) {
      spreadTicks = 1 + (int) ((r >>> 8) & 0x3);
    }
    rollQuantities();
  }

  private void rollQuantities() {
    double b = SplitMix.unit(next());
    double a = SplitMix.unit(next());
    bidLots = 1 + (long) (maxLots * b * b * b);
    askLots = 1 + (long) (maxLots * a * a * a);
  }

  long updateId() {
    return updateId;
  }

  /** Price step in units of 1e-8, for exchangeInfo's PRICE_FILTER. */
  long tickUnits() {
    return tickUnits;
  }

  /** Quantity step in units of 1e-8, for exchangeInfo's LOT_SIZE. */
  long lotUnits() {
    return lotUnits;
  }

  /** The current book top as Binance would send it; allocates the tick and its four decimal strings. */
  BookTicker toTick() {
    return new BookTicker(updateId, symbol, decimal(bidTicks * tickUnits), decimal(bidLots * lotUnits),
        decimal((bidTicks + spreadTicks) * tickUnits), decimal(askLots * lotUnits), BookTicker.NO_TIME);
  }

  /** {@code units} of 1e-8 as Binance writes them: {@code 25.35190000}. */
  static String decimal(long units) {
    long whole = units / E8;
    long frac = units % E8;
    char[] digits = new char[20 + 9];
    int pos = digits.length;
    for (int i = 0; i < 8; i++) {
      digits[--pos] = (char) ('0' + frac % 10);
      frac /= 10;
    }
    digits[--pos] = '.';
    do {
      digits[--pos] = (char) ('0' + whole % 10);
      whole /= 10;
    } while (whole != 0);
    return new String(digits, pos, digits.length - pos);
  }
}
