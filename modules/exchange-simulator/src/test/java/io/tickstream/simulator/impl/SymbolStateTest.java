package io.tickstream.simulator.impl;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.simulator.SymbolStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Generated ticks are valid Binance book tickers at every price scale the universe has. */
class SymbolStateTest {

  @ParameterizedTest
  @ValueSource(doubles = {1e-8, 3e-8, 1e-7, 0.0001, 0.25, 1, 25.35, 3_000, 97_000, 1e7})
  void everyTickDecodesWithPositiveQuantitiesAndBidBelowAsk(double price) throws Exception {
    SymbolState state = new SymbolState("PEPEBTC", "PEPE", "BTC", SymbolStatus.TRADING, 1, price, 42, List.of());
    BookTickerEncoder encoder = new BookTickerEncoder();
    long u = state.updateId();
    for (int i = 0; i < 5_000; i++) {
      state.advance();
      BookTicker tick = BookTickerDecoder.decode(encoder.binancePayload(state.toTick()));
      assertThat(tick.updateId()).isEqualTo(++u);
      assertThat(new BigDecimal(tick.bidQty())).isPositive();
      assertThat(new BigDecimal(tick.askQty())).isPositive();
      assertThat(new BigDecimal(tick.bidPrice())).isPositive().isLessThan(new BigDecimal(tick.askPrice()));
    }
  }
}
