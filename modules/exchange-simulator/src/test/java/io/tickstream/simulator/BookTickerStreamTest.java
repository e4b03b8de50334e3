package io.tickstream.simulator;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BookTickerStreamTest extends SimulatorTestSupport {

  static BookTicker decode(String payload) throws Exception {
    return BookTickerDecoder.decode(payload.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void rawStreamSendsBarePayloadsWithUpdateIdsStepByOne() throws Exception {
    ExchangeSimulator sim = start(config().with(SimulatorSettings.TICK_RATE, 20_000L));
    Client c = connect(sim, "/ws/btcusdt@bookTicker");
    long previous = -1;
    for (int i = 0; i < 300; i++) {
      String m = c.next();
      assertThat(m).startsWith("{\"u\":").doesNotContain("stream");
      BookTicker t = decode(m);
      assertThat(t.symbol()).isEqualTo("BTCUSDT");
      assertThat(t.bidPrice()).matches("\\d+\\.\\d{8}");
      assertThat(t.askQty()).matches("\\d+\\.\\d{8}");
      assertThat(new BigDecimal(t.bidPrice())).isLessThan(new BigDecimal(t.askPrice()));
      if (previous >= 0) {
        assertThat(t.updateId()).isEqualTo(previous + 1);
      }
      previous = t.updateId();
    }
  }

  @Test
  void combinedStreamWrapsEachPayloadWithItsStreamName() throws Exception {
    ExchangeSimulator sim = start(config());
    Client c = connect(sim, "/stream?streams=btcusdt@bookTicker/ETHUSDT@BOOKTICKER");
    List<String> streams = new ArrayList<>();
    while (streams.size() < 30) {
      JsonObject m = new JsonObject(c.next());
      assertThat(m.fieldNames()).containsExactly("stream", "data");
      String symbol = decode(m.getJsonObject("data").encode()).symbol();
      assertThat(m.getString("stream")).isEqualTo(symbol.toLowerCase() + "@bookTicker");
      streams.add(m.getString("stream"));
    }
    assertThat(streams).contains("btcusdt@bookTicker", "ethusdt@bookTicker");
  }

  @Test
  void sameSeedGivesTheSameTicksOfASymbol() throws Exception {
    ExchangeSimulator a = start(config().with(SimulatorSettings.TICK_RATE, 5_000L));
    ExchangeSimulator b = start(config().with(SimulatorSettings.TICK_RATE, 2_000L));
    Client ca = connect(a, "/ws/ethusdt@bookTicker");
    Client cb = connect(b, "/ws/ethusdt@bookTicker");
    BookTicker firstA = decode(ca.next());
    BookTicker firstB = decode(cb.next());
    // The clients join at different ticks: align both on the later update id, then compare tick by tick.
    long from = Math.max(firstA.updateId(), firstB.updateId());
    List<String> fromA = collectFrom(ca, firstA, from, 50);
    List<String> fromB = collectFrom(cb, firstB, from, 50);
    assertThat(fromA).isEqualTo(fromB);
  }

  private static List<String> collectFrom(Client c, BookTicker first, long from, int n) throws Exception {
    List<String> out = new ArrayList<>();
    BookTicker t = first;
    while (out.size() < n) {
      if (t.updateId() >= from) {
        out.add(t.toString());
      }
      t = decode(c.next());
    }
    return out;
  }
}
