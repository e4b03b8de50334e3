package io.tickstream.simulator;

import io.tickstream.common.capture.CaptureFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayTest extends SimulatorTestSupport {

  static final String BTC = "{\"u\":400900217,\"s\":\"BTCUSDT\",\"b\":\"67000.01000000\",\"B\":\"0.50000000\",\"a\":\"67000.02000000\",\"A\":\"1.25000000\"}";
  static final String ETH = "{\"u\":100,\"s\":\"ETHUSDT\",\"b\":\"3400.10000000\",\"B\":\"2.00000000\",\"a\":\"3400.20000000\",\"A\":\"3.00000000\"}";
  static final String ETH_COMBINED = "{\"stream\":\"ethusdt@bookTicker\",\"data\":" + ETH + "}";
  static final String GARBAGE = "{\"u\":12,\"s\":";

  @Test
  void aCaptureIsReplayedRoutedBySymbolInEachConnectionsFraming(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("capture.jsonl");
    long t0 = 1_764_180_000_000_000L;
    Files.write(file, List.of(
        CaptureFormat.line(t0, BTC),
        CaptureFormat.line(t0 + 20_000, ETH_COMBINED),
        "",
        CaptureFormat.line(t0 + 40_000, GARBAGE)));
    ExchangeSimulator sim = start(config().with(SimulatorSettings.SYMBOLS, List.of())
        .with(SimulatorSettings.REPLAY_FILE, file.toString()).with(SimulatorSettings.REPLAY_LOOP, true));
    Client raw = connect(sim, "/ws/btcusdt@bookTicker");
    Client combined = connect(sim, "/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker");

    assertThat(raw.nextMatching(m -> m.contains("BTCUSDT"))).isEqualTo(BTC);
    assertThat(raw.nextMatching(m -> !m.contains("BTCUSDT"))).as("ETH is not routed to a BTC-only raw stream")
        .isEqualTo(GARBAGE);
    assertThat(combined.nextMatching(m -> m.contains("BTCUSDT")))
        .isEqualTo("{\"stream\":\"btcusdt@bookTicker\",\"data\":" + BTC + "}");
    assertThat(combined.nextMatching(m -> m.contains("ETHUSDT"))).isEqualTo(ETH_COMBINED);
    assertThat(combined.nextMatching(m -> m.equals(GARBAGE))).isEqualTo(GARBAGE);
    assertThat(sim.status().await().getJsonObject("replay").getLong("frames")).isEqualTo(3);
  }

  @Test
  void captureLinesRoundTrip() {
    String line = CaptureFormat.line(42, "a \"quoted\"\nframe");
    assertThat(line).isEqualTo("{\"rt\":42,\"frame\":\"a \\\"quoted\\\"\\nframe\"}");
    assertThat(CaptureFormat.parse(line)).isEqualTo(new CaptureFormat.Entry(42, "a \"quoted\"\nframe"));
  }

  @Test
  void symbolsOfTheCaptureAreListedAsTrading(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("capture.jsonl");
    Files.write(file, List.of(CaptureFormat.line(1, BTC), CaptureFormat.line(2, ETH_COMBINED)));
    ExchangeSimulator sim = start(config().with(SimulatorSettings.SYMBOLS, List.of())
        .with(SimulatorSettings.REPLAY_FILE, file.toString()).with(SimulatorSettings.REPLAY_SPEED, "0"));
    assertThat(sim.status().await().getInteger("tradingSymbols")).isEqualTo(2);
  }
}
