package io.tickstream.local;

import io.tickstream.fanout.FanoutVerticle;
import io.tickstream.simulator.ExchangeSimulator;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 5, "End-to-end tests": the whole chain in one JVM, simulator -> ingest -> embedded broker -> fanout ->
 * WebSocket client, started as {@code ./tickstream local --exchange=simulator} on free ports.
 */
class EndToEndTest {

  private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "SOLUSDT");
  private static LocalStack stack;
  private static final Vertx client = Vertx.vertx();

  @BeforeAll
  static void start() throws Exception {
    stack = TestStacks.startSimulated("e2e-test", SYMBOLS, 300, new PrintWriter(new StringWriter()));
    await().atMost(Duration.ofSeconds(40)).until(stack::ready);
  }

  @AfterAll
  static void stop() throws Exception {
    client.close().await(10, TimeUnit.SECONDS);
    if (stack != null) {
      stack.stop();
    }
  }

  @Test
  void contentIsUnchangedEndToEnd() throws Exception {
    ExchangeSimulator sim = stack.simulator();
    assertThat(sim).isNotNull();
    Map<Long, JsonObject> raw = new ConcurrentHashMap<>();
    List<JsonObject> fanned = new CopyOnWriteArrayList<>();
    // The raw client first, so the ticks the fanout delivers afterwards were also seen straight from the simulator.
    WebSocket direct = connect(sim.port(), "/ws/btcusdt@bookTicker", text -> {
      JsonObject t = new JsonObject(text);
      raw.put(t.getLong("u"), t);
    }, closed -> { });
    await().atMost(Duration.ofSeconds(10)).until(() -> !raw.isEmpty());
    WebSocket viaFanout = connect(stack.fanoutPort(), "/stream?streams=btcusdt@bookTicker", text -> {
      JsonObject m = new JsonObject(text);
      if ("btcusdt@bookTicker".equals(m.getString("stream"))) {
        fanned.add(m.getJsonObject("data"));
      }
    }, closed -> { });
    await().atMost(Duration.ofSeconds(20))
        .until(() -> fanned.stream().filter(t -> raw.containsKey(t.getLong("u"))).count() >= 20);
    viaFanout.close().await(10, TimeUnit.SECONDS);
    direct.close().await(10, TimeUnit.SECONDS);

    int compared = 0;
    for (JsonObject out : fanned) {
      JsonObject in = raw.get(out.getLong("u"));
      if (in == null) {
        continue;
      }
      compared++;
      assertThat(out.getLong("u")).isEqualTo(in.getLong("u"));
      for (String field : List.of("s", "b", "B", "a", "A")) {
        assertThat(out.getValue(field)).as("%s of u=%s", field, in.getLong("u")).isInstanceOf(String.class)
            .isEqualTo(in.getValue(field));
      }
    }
    assertThat(compared).isGreaterThanOrEqualTo(20);
  }

  @Test
  void updateIdNeverRegressesAndStampsArePresentAndOrdered() throws Exception {
    List<JsonObject> ticks = new CopyOnWriteArrayList<>();
    List<Long> nowAtReceipt = new CopyOnWriteArrayList<>();
    String streams = String.join("/", SYMBOLS.stream().map(s -> s.toLowerCase() + "@bookTicker").toList());
    WebSocket ws = connect(stack.fanoutPort(), "/stream?streams=" + streams, text -> {
      JsonObject m = new JsonObject(text);
      if (m.getString("stream", "").endsWith("@bookTicker")) {
        // Read the clock after the message arrived: ft was stamped before it was sent.
        nowAtReceipt.add(micros(Instant.now()));
        ticks.add(m.getJsonObject("data"));
      }
    }, closed -> { });
    await().atMost(Duration.ofSeconds(30)).until(() -> ticks.size() >= 300);
    ws.close().await(10, TimeUnit.SECONDS);

    Map<String, Long> lastU = new HashMap<>();
    List<JsonObject> seen = new ArrayList<>(ticks);
    for (int i = 0; i < seen.size(); i++) {
      JsonObject t = seen.get(i);
      assertThat(t.fieldNames()).contains("u", "s", "pt", "ft");
      long u = t.getLong("u");
      Long previous = lastU.put(t.getString("s"), u);
      if (previous != null) {
        assertThat(u).as("u of %s after %s", t.getString("s"), previous).isGreaterThan(previous);
      }
      long pt = t.getLong("pt");
      long ft = t.getLong("ft");
      assertThat(pt).as("pt of %s", t).isPositive().isLessThanOrEqualTo(ft);
      assertThat(ft).as("ft of %s", t).isLessThanOrEqualTo(nowAtReceipt.get(i));
    }
    assertThat(lastU.keySet()).as("symbols seen").hasSizeGreaterThan(1);
  }

  @Test
  void exchangeDropCausesAPauseNotALossOfTheStream() throws Exception {
    List<Long> us = new CopyOnWriteArrayList<>();
    AtomicBoolean closed = new AtomicBoolean();
    WebSocket ws = connect(stack.fanoutPort(), "/ws/ethusdt@bookTicker",
        text -> us.add(new JsonObject(text).getLong("u")), v -> closed.set(true));
    await().atMost(Duration.ofSeconds(20)).until(() -> us.size() >= 5);

    int dropped = stack.simulator().faults().dropConnections().await(10, TimeUnit.SECONDS);
    assertThat(dropped).as("exchange connections dropped (the ingest's at least)").isPositive();
    int beforeDrop = us.size();
    long lastBeforeDrop = us.get(beforeDrop - 1);

    // The ingest reconnects to the simulator and the same client connection carries on.
    await().atMost(Duration.ofSeconds(30)).until(() -> us.stream().filter(u -> u > lastBeforeDrop).count() >= 20);
    assertThat(closed).as("the client's connection was closed").isFalse();
    assertThat(stack.simulator().connectionCount().await(10, TimeUnit.SECONDS)).isPositive();
    ws.close().await(10, TimeUnit.SECONDS);
    List<Long> all = new ArrayList<>(us);
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i)).as("u #%s", i).isGreaterThan(all.get(i - 1));
    }
  }

  @Test
  void restartingTheFanoutRebuildsSnapshots() throws Exception {
    // A fanout of our own against the stack's broker and topic, so it can be stopped and started again.
    Vertx own = Vertx.vertx();
    try {
      JsonObject config = new JsonObject().put("kafka.bootstrap-servers", new JsonArray().add(stack.kafka()))
          .put("fanout.port", 0).put("fanout.admin-port", 0).put("fanout.instances", 1).put("fanout.drain-window", "100ms")
          .put("fanout.exchange", "simulator");
      FanoutVerticle first = new FanoutVerticle();
      String firstId = own.deployVerticle(first, new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(first::ready);
      List<Long> before = new CopyOnWriteArrayList<>();
      // Ticks only: undeploying sends this client a serverShutdown event, which carries no u.
      connect(first.actualPort(), "/ws/btcusdt@bookTicker", text -> {
        JsonObject m = new JsonObject(text);
        if ("BTCUSDT".equals(m.getString("s"))) {
          before.add(m.getLong("u"));
        }
      }, closed -> { });
      await().atMost(Duration.ofSeconds(20)).until(() -> before.size() >= 5);
      own.undeploy(firstId).await(60, TimeUnit.SECONDS);
      long lastBeforeRestart = before.stream().mapToLong(Long::longValue).max().orElseThrow();

      FanoutVerticle second = new FanoutVerticle();
      own.deployVerticle(second, new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(second::ready);
      List<JsonObject> after = new CopyOnWriteArrayList<>();
      WebSocket again = connect(second.actualPort(), "/ws/btcusdt@bookTicker", text -> after.add(new JsonObject(text)),
          closed -> { });
      await().atMost(Duration.ofSeconds(10)).until(() -> !after.isEmpty());
      again.close().await(10, TimeUnit.SECONDS);
      JsonObject snapshot = after.get(0);
      assertThat(snapshot.getString("s")).isEqualTo("BTCUSDT");
      assertThat(snapshot.getLong("u")).isGreaterThanOrEqualTo(lastBeforeRestart);
    } finally {
      own.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Connects with the handlers set before the upgrade, so the first frame (the fanout's snapshot) is not missed;
   * retries while the fanout still answers 400 (no tick of the symbol came through Kafka yet).
   */
  private static WebSocket connect(int port, String uri, Handler<String> onText, Handler<Void> onClose) {
    return await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
      ClientWebSocket ws = client.createWebSocketClient().webSocket();
      ws.textMessageHandler(onText).closeHandler(onClose);
      return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
          .await(10, TimeUnit.SECONDS);
    }, w -> w != null);
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }
}
