package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** The data path and the endpoints, end to end: producer → broker → fanout → real WebSocket clients. */
@ExtendWith(KafkaBrokerExtension.class)
class FanoutVerticleTest {

  private static FanoutFixture node;

  @BeforeAll
  static void start() {
    node = FanoutFixture.create("data", new JsonObject());
    // Ticked before the node started, then silent: the snapshot must still know it.
    node.produce("SILENTUSDT", 7);
    node.produce("BTCUSDT", 1);
    node.produce("ETHUSDT", 1);
    node.produce("DUPUSDT", 1);
    node.produce("ALLAUSDT", 1);
    node.deploy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void rawStreamSendsTheSnapshotOfASymbolSilentSinceBeforeTheNodeStarted() {
    TestClient c = node.connect("/ws/silentusdt@bookTicker");
    JsonObject tick = c.next();
    assertThat(tick.getLong("u")).isEqualTo(7);
    assertThat(tick.getString("s")).isEqualTo("SILENTUSDT");
    assertThat(tick.getLong("pt")).isEqualTo(1_764_180_000_000_007L);
    assertThat(tick.getLong("ft")).isPositive();
    assertThat(tick.containsKey("stream")).isFalse();
    c.close();
  }

  @Test
  void aClientThatKeepsUpReceivesEveryTickOfItsSymbolInOrder() {
    TestClient c = node.connect("/ws/BTCUSDT@BOOKTICKER");
    assertThat(c.next().getLong("u")).isEqualTo(1);
    node.produceAll("BTCUSDT", 2, 300);
    for (long u = 2; u <= 300; u++) {
      JsonObject t = c.next();
      assertThat(t.getString("s")).isEqualTo("BTCUSDT");
      assertThat(t.getLong("u")).isEqualTo(u);
    }
    c.close();
  }

  @Test
  void combinedStreamWrapsEachTickWithItsLowerCaseStreamName() {
    TestClient c = node.connect("/stream?streams=ETHUSDT@bookticker/silentusdt@bookTicker&timeUnit=MICROSECOND");
    JsonObject first = c.next();
    JsonObject second = c.next();
    assertThat(java.util.List.of(first.getString("stream"), second.getString("stream")))
        .containsExactlyInAnyOrder("ethusdt@bookTicker", "silentusdt@bookTicker");
    node.produce("ETHUSDT", 2);
    JsonObject live = c.next();
    assertThat(live.getString("stream")).isEqualTo("ethusdt@bookTicker");
    assertThat(live.getJsonObject("data").getLong("u")).isEqualTo(2);
    c.close();
  }

  @Test
  void bareConnectionReceivesNothingUntilItSubscribesThenTheSnapshotFirst() {
    TestClient c = node.connect("/ws");
    assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":1}").encode())
        .isEqualTo("{\"result\":[],\"id\":1}");
    assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"silentusdt@bookTicker\"],\"id\":2}").encode())
        .isEqualTo("{\"result\":null,\"id\":2}");
    assertThat(c.next().getLong("u")).isEqualTo(7);
    c.close();
  }

  @Test
  void duplicateOrOlderUpdateIdsNeverReachAClient() {
    TestClient c = node.connect("/ws/dupusdt@bookTicker");
    assertThat(c.next().getLong("u")).isEqualTo(1);
    for (long u : new long[]{5, 5, 3, 1, 6, 6, 4, 7}) {
      node.produce("DUPUSDT", u);
    }
    assertThat(c.next().getLong("u")).isEqualTo(5);
    assertThat(c.next().getLong("u")).isEqualTo(6);
    assertThat(c.next().getLong("u")).isEqualTo(7);
    assertThat(node.meter(FanoutMetrics.STALE_DROPS)).isGreaterThanOrEqualTo(5);
    c.close();
  }

  @Test
  void allBookTickerStreamDeliversEverySymbol() {
    TestClient c = node.connect("/stream?streams=!bookTicker");
    java.util.Set<String> symbols = new java.util.HashSet<>();
    for (int i = 0; i < 5; i++) {
      JsonObject m = c.next();
      assertThat(m.getString("stream")).isEqualTo("!bookTicker");
      symbols.add(m.getJsonObject("data").getString("s"));
    }
    assertThat(symbols).contains("SILENTUSDT", "ETHUSDT", "ALLAUSDT");
    c.close();
  }

  @Test
  void aUrlNamingAnUnknownSymbolIsRefusedWithHttp400AndABinanceErrorBody() {
    FanoutFixture.HttpResult r = node.get("/ws/nosuchcoin@bookTicker", true);
    assertThat(r.status()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("msg"))
        .isEqualTo("Invalid request: unknown symbol NOSUCHCOIN");
    assertThat(node.get("/stream?streams=btcusdt@trade", true).status()).isEqualTo(400);
    assertThat(node.get("/ws/btcusdt@bookTicker?timeUnit=FORTNIGHT", true).status()).isEqualTo(400);
  }

  @Test
  void healthEndpointsReportLiveAndReady() {
    assertThat(node.admin("/health/live").status()).isEqualTo(200);
    FanoutFixture.HttpResult ready = node.admin("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("UP");
  }

  @Test
  void metricsEndpointExposesTheDocumentedNames() {
    TestClient c = node.connect("/ws/ethusdt@bookTicker");
    c.next();
    String body = node.admin("/metrics").body();
    assertThat(body).contains("tickstream_fanout_connections", "tickstream_fanout_subscriptions",
        "tickstream_fanout_ticks_in_total", "tickstream_fanout_frames_out_total",
        "tickstream_fanout_conflated_drops_total", "tickstream_fanout_stale_drops_total",
        "tickstream_fanout_slow_client_closes_total", "tickstream_fanout_pending_ticks",
        "tickstream_fanout_malformed_records_total", "tickstream_fanout_latency_seconds_bucket");
    assertThat(body).as("the JVM binders (JvmMeters)").contains("jvm_memory_used_bytes", "jvm_threads_live_threads",
        "process_files_open_files", "process_cpu_usage");
    c.close();
  }
}
