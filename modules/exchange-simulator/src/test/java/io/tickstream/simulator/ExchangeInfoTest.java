package io.tickstream.simulator;

import io.tickstream.common.config.Config;
import io.tickstream.common.tick.Symbols;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ExchangeInfoTest extends SimulatorTestSupport {

  JsonObject exchangeInfo(ExchangeSimulator sim) throws Exception {
    return httpClient.request(HttpMethod.GET, sim.port(), sim.host(), "/api/v3/exchangeInfo")
        .compose(req -> req.send().compose(resp -> resp.body()))
        .map(Buffer::toJsonObject).await(10, TimeUnit.SECONDS);
  }

  @Test
  void exchangeInfoListsTheDefaultUniverseInBinanceShape() throws Exception {
    ExchangeSimulator sim = start(Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0));
    JsonObject info = exchangeInfo(sim);
    assertThat(info.getString("timezone")).isEqualTo("UTC");
    assertThat(info.getLong("serverTime")).isPositive();
    assertThat(info.getJsonArray("rateLimits")).isNotEmpty();
    assertThat(info.getJsonArray("exchangeFilters")).isEmpty();
    JsonArray symbols = info.getJsonArray("symbols");
    assertThat(symbols).hasSize(2000);
    JsonObject first = symbols.getJsonObject(0);
    assertThat(first.getString("symbol")).isEqualTo("BTCUSDT");
    assertThat(first.getString("status")).isEqualTo("TRADING");
    assertThat(first.getString("baseAsset")).isEqualTo("BTC");
    assertThat(first.getString("quoteAsset")).isEqualTo("USDT");
    Set<String> names = new HashSet<>();
    Set<String> statuses = new HashSet<>();
    for (int i = 0; i < symbols.size(); i++) {
      JsonObject s = symbols.getJsonObject(i);
      assertThat(Symbols.problem(s.getString("symbol"))).isNull();
      assertThat(s.getString("symbol")).isEqualTo(s.getString("baseAsset") + s.getString("quoteAsset"));
      names.add(s.getString("symbol"));
      statuses.add(s.getString("status"));
    }
    assertThat(names).hasSize(2000).contains("ETHUSDT", "BNBUSDT", "SOLUSDT", "ETHBTC", "BTCFDUSD");
    assertThat(statuses).contains("TRADING").containsAnyOf("HALT", "BREAK", "END_OF_DAY");
  }

  @Test
  void theSameSeedListsTheSameUniverse() throws Exception {
    Config c = Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.UNIVERSE_SIZE, 300).with(SimulatorSettings.SEED, 7L);
    JsonArray a = exchangeInfo(start(c)).getJsonArray("symbols");
    JsonArray b = exchangeInfo(start(c)).getJsonArray("symbols");
    assertThat(a).hasSize(300).isEqualTo(b);
  }

  @Test
  void aSymbolListedAtRuntimeAppearsAndTicksToEarlierSubscribers() throws Exception {
    ExchangeSimulator sim = start(config());
    Client c = connect(sim, "/ws/newusdt@bookTicker");
    JsonObject listed = post(sim, "/sim/symbols", "{\"symbol\":\"NEWUSDT\",\"status\":\"TRADING\"}");
    assertThat(listed.getString("symbol")).isEqualTo("NEWUSDT");
    assertThat(c.next()).contains("\"s\":\"NEWUSDT\"");
    assertThat(exchangeInfo(sim).getJsonArray("symbols").stream().map(o -> ((JsonObject) o).getString("symbol")))
        .contains("NEWUSDT");
  }

  @Test
  void aStatusChangeShowsInExchangeInfo() throws Exception {
    ExchangeSimulator sim = start(config());
    sim.putSymbol("ETHUSDT", SymbolStatus.HALT).await(10, TimeUnit.SECONDS);
    List<String> halted = exchangeInfo(sim).getJsonArray("symbols").stream().map(o -> (JsonObject) o)
        .filter(s -> s.getString("status").equals("HALT")).map(s -> s.getString("symbol")).toList();
    assertThat(halted).containsExactly("ETHUSDT");
  }
}
