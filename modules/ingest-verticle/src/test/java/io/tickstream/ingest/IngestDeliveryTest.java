package io.tickstream.ingest;

import io.tickstream.common.capture.CaptureFormat;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.kafka.broker.junit.BootstrapServers;
import io.tickstream.simulator.SimulatorSettings;
import io.tickstream.simulator.SymbolStatus;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What reaches the topic, and how the streams are split into connections. */
class IngestDeliveryTest extends IngestTestSupport {

  private Set<String> tradingSymbols() throws Exception {
    JsonObject info = vertx.createHttpClient()
        .request(HttpMethod.GET, simulator.port(), simulator.host(), "/api/v3/exchangeInfo")
        .compose(req -> req.send()).compose(resp -> resp.body()).await(10, TimeUnit.SECONDS).toJsonObject();
    Set<String> trading = new HashSet<>();
    for (Object o : info.getJsonArray("symbols")) {
      JsonObject s = (JsonObject) o;
      if ("TRADING".equals(s.getString("status"))) {
        trading.add(s.getString("symbol"));
      }
    }
    return trading;
  }

  @Test
  void everyTradingSymbolOfA2000SymbolUniverseReachesTheTopicKeyedBySymbol(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(List.of(), 20_000).with(SimulatorSettings.UNIVERSE_SIZE, 2000));
    Set<String> trading = tradingSymbols();
    assertThat(trading).hasSizeBetween(1800, 1999);
    deployIngest(ingestConfig(kafka));
    TopicReader topic = reader(kafka);

    // The simulator's activity is Zipf-skewed: the rarest symbols tick about once a second at this rate.
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return topic.bySymbol().keySet().containsAll(trading);
    });
    assertThat(topic.bySymbol().keySet()).isEqualTo(trading);
    topic.assertNoUpdateIdRegression();
    assertThat(gauge(IngestMetrics.SYMBOLS)).isEqualTo(trading.size());
  }

  @Test
  void oneConnectionPerChunkOfAtMostTheConfiguredSize(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(List.of(), 2_000).with(SimulatorSettings.UNIVERSE_SIZE, 700));
    int trading = tradingSymbols().size();
    int chunkSize = 100;
    deployIngest(ingestConfig(kafka).put("ingest.chunk-size", chunkSize));
    awaitReady();

    // Chunks are hash slots (the same on every node), so they hold at most, not exactly, chunkSize streams.
    int expected = chunksOf(tradingSymbols(), chunkSize);
    assertThat(expected).isGreaterThanOrEqualTo((trading + chunkSize - 1) / chunkSize);
    assertThat(simulator.connectionCount().await(5, TimeUnit.SECONDS)).isEqualTo(expected);
    assertThat(gauge(IngestMetrics.CONNECTIONS, "state", "streaming")).isEqualTo(expected);
    assertThat(Search.framesInChunks(meters)).isEqualTo(expected);
  }

  @Test
  void newListingStartsFlowingWithoutReconnecting(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(List.of("BTCUSDT", "ETHUSDT", "BNBUSDT"), 300));
    deployIngest(ingestConfig(kafka).put("ingest.symbol-refresh-interval", "200ms"));
    awaitReady();
    TopicReader topic = reader(kafka);

    simulator.putSymbol("NEWCOINUSDT", SymbolStatus.TRADING).await(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> {
      topic.poll();
      return topic.bySymbol().containsKey("NEWCOINUSDT");
    });
    assertThat(count(IngestMetrics.RECONNECTS)).isZero();
    assertThat(simulator.connectionCount().await(5, TimeUnit.SECONDS)).isEqualTo(1);

    // A halted symbol is unsubscribed live: the gauge follows exchangeInfo.
    simulator.putSymbol("ETHUSDT", SymbolStatus.HALT).await(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> gauge(IngestMetrics.SYMBOLS) == 3);
    assertThat(count(IngestMetrics.RECONNECTS)).isZero();
  }

  @Test
  void recordFileCapturesEveryFrameInTheReplayFormat(@BootstrapServers String kafka, @TempDir Path dir) throws Exception {
    startSimulator(simulatorConfig(List.of("BTCUSDT", "ETHUSDT"), 500));
    Path capture = dir.resolve("capture.jsonl");
    deployIngest(ingestConfig(kafka).put("ingest.record", capture.toString()));
    awaitReady();
    await().atMost(WAIT).until(() -> count(IngestMetrics.FRAMES_IN) >= 50);
    undeployIngest();

    List<String> lines = Files.readAllLines(capture, StandardCharsets.UTF_8);
    assertThat(lines).hasSizeGreaterThanOrEqualTo(50);
    long previous = 0;
    for (String line : lines) {
      CaptureFormat.Entry entry = CaptureFormat.parse(line);
      assertThat(entry.receiveTimeMicros()).isGreaterThanOrEqualTo(previous);
      previous = entry.receiveTimeMicros();
      BookTicker tick = BookTickerDecoder.decode(entry.frame().getBytes(StandardCharsets.UTF_8));
      assertThat(tick.symbol()).isIn("BTCUSDT", "ETHUSDT");
      assertThat(new JsonObject(entry.frame()).getString("stream")).isEqualTo(tick.symbol().toLowerCase() + "@bookTicker");
    }
  }

  /** Meter lookups that need more than a name. */
  static final class Search {
    static long framesInChunks(io.micrometer.core.instrument.MeterRegistry registry) {
      return io.micrometer.core.instrument.search.Search.in(registry).name(IngestMetrics.FRAMES_IN).counters().stream()
          .filter(c -> c.count() > 0).count();
    }
  }

  static JsonArray array(String... values) {
    return new JsonArray(List.of((Object[]) values));
  }
}
