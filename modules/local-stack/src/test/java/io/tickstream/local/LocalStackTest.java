package io.tickstream.local;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code ./tickstream local --exchange=simulator} in-process: simulator -> ingest -> embedded broker -> fanout -> client. */
class LocalStackTest {

  private static LocalStack stack;
  private static String printed;
  private static final Vertx client = Vertx.vertx();

  @BeforeAll
  static void start() throws Exception {
    StringWriter out = new StringWriter();
    stack = TestStacks.startSimulated("local-test", List.of("BTCUSDT", "ETHUSDT"), 50, new PrintWriter(out));
    printed = out.toString();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close().await(10, TimeUnit.SECONDS);
    if (stack != null) {
      stack.stop();
    }
  }

  @Test
  void simulatedDataIsAnnouncedAsSuchInTheBannerAndInHealth() throws Exception {
    assertThat(stack.exchange()).isEqualTo("simulator");
    assertThat(printed).contains("SIMULATED DATA").contains("ws://127.0.0.1:" + stack.fanoutPort());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonObject health = get("/health/ready");
      assertThat(health.getString("exchange")).isEqualTo("simulator");
      assertThat(health.getString("status")).isEqualTo("UP");
    });
  }

  @Test
  void aWebSocketClientReceivesSimulatedTicksThroughTheRealBroker() throws Exception {
    await().atMost(Duration.ofSeconds(40)).until(stack::ready);
    CompletableFuture<JsonObject> first = new CompletableFuture<>();
    // The fanout answers 400 (unknown symbol) until the first BTCUSDT tick came through Kafka: retry until then.
    WebSocket ws = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> client.createWebSocketClient()
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(stack.fanoutPort()).setURI("/ws/btcusdt@bookTicker"))
        .await(10, TimeUnit.SECONDS), w -> w != null);
    ws.textMessageHandler(text -> first.complete(new JsonObject(text)));
    JsonObject tick = first.get(30, TimeUnit.SECONDS);
    ws.close();
    assertThat(tick.getString("s")).isEqualTo("BTCUSDT");
    assertThat(tick.fieldNames()).contains("u", "b", "B", "a", "A", "pt", "ft");
    assertThat(tick.getLong("ft")).isGreaterThanOrEqualTo(tick.getLong("pt"));
  }

  @Test
  void clusterListsTheIngestAndTheFanoutOfThisJvm() throws Exception {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(get("/cluster").getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("role")))
            .containsExactlyInAnyOrder("fanout", "ingest"));
  }

  private static JsonObject get(String uri) throws Exception {
    return client.createHttpClient().request(HttpMethod.GET, stack.fanoutAdminPort(), "127.0.0.1", uri)
        .compose(req -> req.send()).compose(resp -> resp.body()).map(b -> new JsonObject(b.toString()))
        .await(10, TimeUnit.SECONDS);
  }
}
