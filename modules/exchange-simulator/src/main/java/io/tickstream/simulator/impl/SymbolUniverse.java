package io.tickstream.simulator.impl;

import io.tickstream.common.tick.Symbols;
import io.tickstream.simulator.SymbolStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The listed symbols, their statuses, the Zipf activity schedule over the TRADING ones and the
 * {@code exchangeInfo} document.
 *
 * <p>A generated universe crosses real base assets (then made-up ones when those run out) with real quote
 * assets, ordered by a popularity score jittered from the seed, so BTCUSDT and ETHUSDT come first and are
 * the busiest. The same seed and size give the same universe.
 *
 * <p><b>Threading:</b> confined to the simulator's context; not thread-safe.
 */
final class SymbolUniverse {

  /** Exponent of the activity skew: weight of rank r is 1 / (r + 1)^s. */
  static final double ZIPF_EXPONENT = 1.0;
  /** Rank given to symbols listed at runtime: a new listing is busy. */
  static final int NEW_LISTING_RANK = 9;

  private static final String[] BASES = ("BTC ETH BNB SOL XRP DOGE ADA TRX AVAX SHIB DOT LINK TON POL LTC BCH NEAR UNI "
      + "ICP APT ETC FIL ATOM ARB OP XLM HBAR INJ SUI STX IMX VET RENDER GRT MKR AAVE ALGO SEI TIA FTM RUNE EGLD SAND "
      + "MANA AXS THETA FLOW CHZ QNT XTZ EOS KAVA NEO IOTA ZEC DASH XMR CAKE CRV SNX COMP LDO GALA ENJ ONE ZIL KSM "
      + "CELO 1INCH BAT HOT ANKR ROSE GMT APE BLUR PEPE FLOKI BONK WIF JUP PYTH STRK WLD ORDI ENA ETHFI NOT ZK IO "
      + "BOME MEME PENDLE JTO DYDX GMX SSV LPT WOO ICX ONT QTUM ZRX SXP STORJ CVC KNC BAND SKL AUDIO MASK CTSI DENT "
      + "HOOK MAGIC ID ARKM CYBER FET OCEAN TAO AR TRB API3 YFI SUSHI BAL RSR CELR COTI OGN LRC ACH ASTR").split(" ");
  private static final String[] QUOTES = "USDT FDUSD USDC BTC ETH BNB TRY EUR BRL JPY TUSD DAI PLN ARS ZAR MXN".split(" ");
  private static final Map<String, Double> USD = Map.ofEntries(
      Map.entry("BTC", 67_000.0), Map.entry("ETH", 3_400.0), Map.entry("BNB", 590.0), Map.entry("SOL", 150.0),
      Map.entry("XRP", 0.52), Map.entry("DOGE", 0.15), Map.entry("ADA", 0.45), Map.entry("TRX", 0.12),
      Map.entry("AVAX", 35.0), Map.entry("SHIB", 0.000024), Map.entry("DOT", 7.0), Map.entry("LINK", 17.0),
      Map.entry("TON", 6.5), Map.entry("LTC", 82.0), Map.entry("BCH", 470.0), Map.entry("PEPE", 0.000011),
      Map.entry("BONK", 0.000025), Map.entry("FLOKI", 0.00018), Map.entry("MKR", 2_500.0), Map.entry("YFI", 7_000.0),
      Map.entry("USDT", 1.0), Map.entry("FDUSD", 1.0), Map.entry("USDC", 1.0), Map.entry("TUSD", 1.0),
      Map.entry("DAI", 1.0), Map.entry("TRY", 0.031), Map.entry("EUR", 1.08), Map.entry("BRL", 0.19),
      Map.entry("JPY", 0.0066), Map.entry("PLN", 0.25), Map.entry("ARS", 0.0011), Map.entry("ZAR", 0.054),
      Map.entry("MXN", 0.055));

  private final long seed;
  private final SubscriberRegistry registry;
  private final Map<String, SymbolState> bySymbol = new LinkedHashMap<>();
  private SymbolState[] trading = new SymbolState[0];
  private double[] cumulative = new double[0];
  private String symbolsJson;

  SymbolUniverse(long seed, SubscriberRegistry registry) {
    this.seed = seed;
    this.registry = registry;
  }

  /** A universe of {@code size} generated symbols, {@code nonTradingPercent} of them not TRADING. */
  static SymbolUniverse generated(long seed, SubscriberRegistry registry, int size, int nonTradingPercent) {
    SymbolUniverse u = new SymbolUniverse(seed, registry);
    long rng = SplitMix.derive(seed, "universe");
    List<String> bases = new ArrayList<>(List.of(BASES));
    Set<String> taken = new HashSet<>(bases);
    while ((long) bases.size() * QUOTES.length < size * 5L / 4) {
      rng = SplitMix.advance(rng);
      String name = madeUpAsset(SplitMix.mix(rng));
      if (taken.add(name) && !List.of(QUOTES).contains(name)) {
        bases.add(name);
      }
    }
    record Pair(String base, String quote, double score) { }
    List<Pair> pairs = new ArrayList<>();
    for (int b = 0; b < bases.size(); b++) {
      for (int q = 0; q < QUOTES.length; q++) {
        if (bases.get(b).equals(QUOTES[q])) {
          continue;
        }
        rng = SplitMix.advance(rng);
        double jitter = Math.exp(0.6 * (SplitMix.unit(SplitMix.mix(rng)) - 0.5));
        pairs.add(new Pair(bases.get(b), QUOTES[q], (b + 1) * Math.pow(q + 1, 2.2) * jitter));
      }
    }
    pairs.sort((x, y) -> Double.compare(x.score, y.score));
    SymbolStatus[] closed = {SymbolStatus.HALT, SymbolStatus.BREAK, SymbolStatus.END_OF_DAY};
    for (int i = 0; i < size && i < pairs.size(); i++) {
      Pair p = pairs.get(i);
      rng = SplitMix.advance(rng);
      long r = SplitMix.mix(rng);
      SymbolStatus status = i >= 20 && Math.floorMod(r, 100) < nonTradingPercent
          ? closed[(int) Math.floorMod(r >>> 8, 3)] : SymbolStatus.TRADING;
      u.add(p.base + p.quote, p.base, p.quote, status, i);
    }
    u.rebuild();
    return u;
  }

  /** A universe of exactly {@code symbols}, all TRADING, ranked in the order given. */
  static SymbolUniverse fixed(long seed, SubscriberRegistry registry, List<String> symbols) {
    SymbolUniverse u = new SymbolUniverse(seed, registry);
    int rank = 0;
    for (String s : symbols) {
      String symbol = checked(s);
      if (!u.bySymbol.containsKey(symbol)) {
        String quote = quoteOf(symbol);
        u.add(symbol, symbol.substring(0, symbol.length() - quote.length()), quote, SymbolStatus.TRADING, rank++);
      }
    }
    u.rebuild();
    return u;
  }

  static String checked(String symbol) {
    String problem = Symbols.problem(symbol);
    if (problem != null) {
      throw new IllegalArgumentException(problem + ": '" + symbol + "'");
    }
    return symbol.toUpperCase(Locale.ROOT);
  }

  private static String quoteOf(String symbol) {
    String best = "";
    for (String q : QUOTES) {
      if (symbol.endsWith(q) && symbol.length() > q.length() && q.length() > best.length()) {
        best = q;
      }
    }
    return best.isEmpty() ? symbol.substring(Math.max(1, symbol.length() - 3)) : best;
  }

  private static String madeUpAsset(long r) {
    String consonants = "BCDFGKLMNPRSTVXZ";
    String vowels = "AEIOU";
    int len = 3 + (int) Math.floorMod(r, 3);
    StringBuilder sb = new StringBuilder(len);
    for (int i = 0; i < len; i++) {
      r >>>= 5;
      sb.append(i % 2 == 0 ? consonants.charAt((int) (r & 15)) : vowels.charAt((int) Math.floorMod(r & 31, 5)));
    }
    return sb.toString();
  }

  private SymbolState add(String symbol, String base, String quote, SymbolStatus status, int rank) {
    long r = SplitMix.mix(SplitMix.derive(seed, "price:" + symbol));
    double baseUsd = USD.getOrDefault(base, Math.exp(Math.log(0.001) + SplitMix.unit(r) * Math.log(50_000.0)));
    double quoteUsd = USD.getOrDefault(quote, 1.0);
    double price = baseUsd / quoteUsd * Math.exp(0.04 * (SplitMix.unit(SplitMix.mix(r)) - 0.5));
    SymbolState state = new SymbolState(symbol, base, quote, status, rank, price, seed, registry.forSymbol(symbol));
    bySymbol.put(symbol, state);
    symbolsJson = null;
    return state;
  }

  /** Lists {@code symbol} with {@code status}, or changes the status of a listed one. */
  SymbolState put(String symbol, SymbolStatus status) {
    String s = checked(symbol);
    SymbolState state = bySymbol.get(s);
    if (state == null) {
      String quote = quoteOf(s);
      state = add(s, s.substring(0, s.length() - quote.length()), quote, status, NEW_LISTING_RANK);
    } else {
      state.status = status;
      symbolsJson = null;
    }
    rebuild();
    return state;
  }

  SymbolState get(String symbol) {
    return bySymbol.get(symbol);
  }

  Collection<SymbolState> all() {
    return bySymbol.values();
  }

  int tradingCount() {
    return trading.length;
  }

  /** The TRADING symbol for a uniform draw {@code u} in [0, 1), Zipf-weighted by rank. */
  SymbolState pick(double u) {
    double target = u * cumulative[cumulative.length - 1];
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] <= target) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return trading[lo];
  }

  private void rebuild() {
    List<SymbolState> list = new ArrayList<>();
    for (SymbolState s : bySymbol.values()) {
      if (s.status == SymbolStatus.TRADING) {
        list.add(s);
      }
    }
    trading = list.toArray(new SymbolState[0]);
    cumulative = new double[trading.length];
    double sum = 0;
    for (int i = 0; i < trading.length; i++) {
      sum += 1.0 / Math.pow(trading[i].rank + 1, ZIPF_EXPONENT);
      cumulative[i] = sum;
    }
  }

  /** One symbol as exchangeInfo lists it. */
  static JsonObject describe(SymbolState s) {
    return new JsonObject()
        .put("symbol", s.symbol).put("status", s.status.name())
        .put("baseAsset", s.baseAsset).put("baseAssetPrecision", 8)
        .put("quoteAsset", s.quoteAsset).put("quotePrecision", 8).put("quoteAssetPrecision", 8)
        .put("baseCommissionPrecision", 8).put("quoteCommissionPrecision", 8)
        .put("orderTypes", new JsonArray(List.of("LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")))
        .put("icebergAllowed", true).put("ocoAllowed", true).put("otoAllowed", true)
        .put("quoteOrderQtyMarketAllowed", true).put("allowTrailingStop", true).put("cancelReplaceAllowed", true)
        .put("isSpotTradingAllowed", true).put("isMarginTradingAllowed", false)
        .put("filters", new JsonArray()
            .add(new JsonObject().put("filterType", "PRICE_FILTER").put("minPrice", SymbolState.decimal(s.tickUnits()))
                .put("maxPrice", "1000000.00000000").put("tickSize", SymbolState.decimal(s.tickUnits())))
            .add(new JsonObject().put("filterType", "LOT_SIZE").put("minQty", SymbolState.decimal(s.lotUnits()))
                .put("maxQty", "9000000.00000000").put("stepSize", SymbolState.decimal(s.lotUnits()))))
        .put("permissions", new JsonArray()).put("permissionSets", new JsonArray().add(new JsonArray().add("SPOT")))
        .put("defaultSelfTradePreventionMode", "EXPIRE_MAKER")
        .put("allowedSelfTradePreventionModes", new JsonArray(List.of("EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH")));
  }

  /** {@code GET /api/v3/exchangeInfo}; the symbol list is rendered once per change, not per request. */
  String exchangeInfo(long serverTimeMillis) {
    if (symbolsJson == null) {
      JsonArray symbols = new JsonArray();
      for (SymbolState s : bySymbol.values()) {
        symbols.add(describe(s));
      }
      symbolsJson = symbols.encode();
    }
    return "{\"timezone\":\"UTC\",\"serverTime\":" + serverTimeMillis + ",\"rateLimits\":" + RATE_LIMITS
        + ",\"exchangeFilters\":[],\"symbols\":" + symbolsJson + "}";
  }

  private static final String RATE_LIMITS = "[{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":6000},"
      + "{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,\"limit\":100},"
      + "{\"rateLimitType\":\"ORDERS\",\"interval\":\"DAY\",\"intervalNum\":1,\"limit\":200000},"
      + "{\"rateLimitType\":\"RAW_REQUESTS\",\"interval\":\"MINUTE\",\"intervalNum\":5,\"limit\":61000}]";
}
