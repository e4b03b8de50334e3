package io.tickstream.ingest.impl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExchangeEndpointTest {

  @Test
  void binanceProductionUrl() {
    ExchangeEndpoint e = ExchangeEndpoint.parse("wss://stream.binance.com:9443");
    assertThat(e).isEqualTo(new ExchangeEndpoint(true, "stream.binance.com", 9443, ""));
    var options = e.combined(List.of("btcusdt@bookTicker", "ethusdt@bookTicker"));
    assertThat(options.getURI()).isEqualTo("/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker");
    assertThat(options.isSsl()).isTrue();
  }

  @Test
  void defaultPortsAndBasePath() {
    assertThat(ExchangeEndpoint.parse("wss://data-stream.binance.vision")).isEqualTo(
        new ExchangeEndpoint(true, "data-stream.binance.vision", 443, ""));
    assertThat(ExchangeEndpoint.parse("ws://127.0.0.1:9443/proxy/")).isEqualTo(
        new ExchangeEndpoint(false, "127.0.0.1", 9443, "/proxy"));
  }

  @Test
  void rejectsWhatIsNotAWebSocketUrl() {
    assertThatThrownBy(() -> ExchangeEndpoint.parse("ftp://x")).hasMessageContaining("ws:// or wss://");
    assertThatThrownBy(() -> ExchangeEndpoint.parse("stream.binance.com")).hasMessageContaining("ws:// or wss://");
  }
}
