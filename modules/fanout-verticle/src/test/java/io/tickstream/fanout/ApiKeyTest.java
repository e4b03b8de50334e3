package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.tickstream.fanout.AccessClients.Answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, keys: with {@code fanout.auth=api-key} a missing or bad key is refused with 401 before the upgrade, a key
 * at its connection limit with 429, a stream the key is not entitled to with 403 (and with an error reply to a
 * SUBSCRIBE on a live connection), and removing a key from the keys file closes its live connections with 1008. On
 * both WebSocket transports, and over SockJS.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ApiKeyTest {

  @TempDir
  static Path dir;
  private static final Map<String, FanoutFixture> NODES = new java.util.HashMap<>();
  private static final Map<String, Path> FILES = new java.util.HashMap<>();

  /** Keys of each node: id -> entry; the test rewrites the file to revoke. */
  private static JsonArray keys() {
    return new JsonArray()
        .add(key("alice", "alice-secret", 2, null))
        .add(key("bob", "bob-secret", 0, new JsonArray().add("BTCUSDT")))
        .add(key("carol", "carol-secret", 0, "*"))
        .add(key("dave", "dave-secret", 0, "*"))
        .add(key("erin", "erin-secret", 0, new JsonArray().add("BTCUSDT").add("ETHUSDT")));
  }

  private static JsonObject key(String id, String secret, int max, Object symbols) {
    JsonObject k = new JsonObject().put("id", id).put("sha256", sha256(secret));
    if (max > 0) {
      k.put("maxConnections", max);
    }
    if (symbols != null) {
      k.put("symbols", symbols);
    }
    return k;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    for (String transport : List.of("channel", "vertx")) {
      Path file = dir.resolve("keys-" + transport + ".json");
      Files.writeString(file, new JsonObject().put("keys", keys()).encodePrettily());
      FILES.put(transport, file);
      FanoutFixture f = FanoutFixture.create("apikey-" + transport, new JsonObject()
          .put("fanout.instances", 2).put("fanout.websocket-transport", transport)
          .put("fanout.auth", "api-key").put("fanout.auth.keys-file", file.toString())
          .put("fanout.auth.reload-interval", "100ms"));
      f.produce("BTCUSDT", 1);
      f.produce("ETHUSDT", 1);
      NODES.put(transport, f.deploy());
    }
  }

  @AfterAll
  static void stop() {
    NODES.values().forEach(FanoutFixture::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void aMissingOrBadKeyIsRefusedWith401BeforeTheUpgrade(String transport) {
    FanoutFixture node = NODES.get(transport);
    Answer missing = AccessClients.refused(node, "/ws/btcusdt@bookTicker", Map.of());
    assertThat(missing.status()).isEqualTo(401);
    assertThat(new JsonObject(missing.body()).getJsonObject("error").getString("msg")).contains("API key is required");
    for (Map<String, String> bad : List.of(Map.of("X-MBX-APIKEY", "nope"), Map.of("Authorization", "Bearer nope"))) {
      Answer a = AccessClients.refused(node, "/stream?streams=btcusdt@bookTicker", bad);
      assertThat(a.status()).as("%s", bad).isEqualTo(401);
      assertThat(new JsonObject(a.body()).getJsonObject("error").getString("msg")).contains("invalid API key");
    }
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker?apiKey=nope", Map.of()).status()).isEqualTo(401);
    // The hash itself is not a key.
    assertThat(AccessClients.refused(node, "/ws", Map.of("X-MBX-APIKEY", sha256("dave-secret"))).status()).isEqualTo(401);
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void aGoodKeyInAHeaderOrTheQueryStreamsTicks(String transport) {
    FanoutFixture node = NODES.get(transport);
    TestClient header = AccessClients.open(node, "/ws/btcusdt@bookTicker", Map.of("X-MBX-APIKEY", "dave-secret"));
    assertThat(header.next().getString("s")).isEqualTo("BTCUSDT");
    TestClient bearer = AccessClients.open(node, "/stream?streams=ethusdt@bookTicker", Map.of("Authorization", "Bearer dave-secret"));
    assertThat(bearer.next().getString("stream")).isEqualTo("ethusdt@bookTicker");
    TestClient query = AccessClients.open(node, "/stream?streams=!bookTicker&apiKey=dave-secret", Map.of());
    assertThat(query.next().getJsonObject("data").getString("s")).isIn("BTCUSDT", "ETHUSDT");
    node.produce("BTCUSDT", 2);
    JsonObject live;
    do {
      live = header.next();
    } while (live.getLong("u") < 2);
    assertThat(live.getLong("u")).isEqualTo(2);
    header.close();
    bearer.close();
    query.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void aKeyAtItsConnectionLimitIsRefusedWith429UntilOneCloses(String transport) {
    FanoutFixture node = NODES.get(transport);
    Map<String, String> alice = Map.of("X-MBX-APIKEY", "alice-secret");
    List<TestClient> held = new ArrayList<>();
    // Two server instances: the limit is the node's, whichever loop each connection lands on.
    held.add(AccessClients.open(node, "/ws/btcusdt@bookTicker", alice));
    held.add(AccessClients.open(node, "/ws/ethusdt@bookTicker", alice));
    Answer third = AccessClients.refused(node, "/ws/btcusdt@bookTicker", alice);
    assertThat(third.status()).isEqualTo(429);
    assertThat(new JsonObject(third.body()).getJsonObject("error").getString("msg")).contains("Too many connections");
    // Another key is not affected.
    TestClient other = AccessClients.open(node, "/ws/btcusdt@bookTicker", Map.of("X-MBX-APIKEY", "dave-secret"));
    other.close();
    held.removeFirst().close();
    await().atMost(Duration.ofSeconds(20)).until(() -> AccessClients.upgrade(node, "/ws/btcusdt@bookTicker", alice)
        instanceof TestClient c && held.add(c));
    assertThat(AccessClients.refused(node, "/ws", alice).status()).isEqualTo(429);
    held.forEach(TestClient::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void aStreamTheKeyIsNotEntitledToIsRefusedAtTheUpgradeAndOnSubscribe(String transport) {
    FanoutFixture node = NODES.get(transport);
    Map<String, String> bob = Map.of("X-MBX-APIKEY", "bob-secret");
    for (String uri : List.of("/ws/ethusdt@bookTicker", "/ws/!bookTicker", "/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker")) {
      Answer a = AccessClients.refused(node, uri, bob);
      assertThat(a.status()).as(uri).isEqualTo(403);
      assertThat(new JsonObject(a.body()).getJsonObject("error").getString("msg")).contains("not entitled");
    }
    TestClient c = AccessClients.open(node, "/ws/btcusdt@bookTicker", bob);
    assertThat(c.next().getString("s")).isEqualTo("BTCUSDT");
    JsonObject reply = c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@bookTicker\"],\"id\":7}");
    assertThat(reply.getInteger("id")).isEqualTo(7);
    assertThat(reply.getJsonObject("error").getInteger("code")).isEqualTo(2);
    assertThat(reply.getJsonObject("error").getString("msg")).contains("not entitled to stream ethusdt@bookTicker");
    assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"!bookTicker\"],\"id\":8}").getJsonObject("error")
        .getString("msg")).contains("not entitled");
    assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":9}").getJsonArray("result"))
        .containsExactly("btcusdt@bookTicker");
    assertThat(c.isClosed()).isFalse();
    c.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void removingAKeyFromTheFileClosesItsLiveConnectionsWith1008(String transport) throws Exception {
    FanoutFixture node = NODES.get(transport);
    TestClient carol1 = AccessClients.open(node, "/ws/btcusdt@bookTicker", Map.of("X-MBX-APIKEY", "carol-secret"));
    TestClient carol2 = AccessClients.open(node, "/ws/ethusdt@bookTicker?apiKey=carol-secret", Map.of());
    TestClient dave = AccessClients.open(node, "/ws/btcusdt@bookTicker", Map.of("X-MBX-APIKEY", "dave-secret"));
    carol1.next();
    carol2.next();
    dave.next();
    JsonArray remaining = new JsonArray();
    keys().forEach(k -> {
      if (!((JsonObject) k).getString("id").equals("carol")) {
        remaining.add(k);
      }
    });
    Files.writeString(FILES.get(transport), new JsonObject().put("keys", remaining).encode());
    await().atMost(Duration.ofSeconds(20)).until(() -> carol1.closeStatus != null && carol2.closeStatus != null);
    assertThat(carol1.closeStatus).isEqualTo((short) 1008);
    assertThat(carol2.closeStatus).isEqualTo((short) 1008);
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker", Map.of("X-MBX-APIKEY", "carol-secret")).status())
        .isEqualTo(401);
    // Others keep streaming.
    node.produce("BTCUSDT", 10);
    JsonObject live;
    do {
      live = dave.next();
    } while (live.getLong("u") < 10);
    assertThat(dave.isClosed()).isFalse();
    dave.close();
    Files.writeString(FILES.get(transport), new JsonObject().put("keys", keys()).encode());
    await().atMost(Duration.ofSeconds(20)).until(() ->
        AccessClients.upgrade(node, "/ws", Map.of("X-MBX-APIKEY", "carol-secret")) instanceof TestClient c && close(c));
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void aKeyWhoseGrantIsNarrowedByAReloadLosesTheStreamsItNoLongerHas(String transport) throws Exception {
    FanoutFixture node = NODES.get(transport);
    TestClient erin = AccessClients.open(node, "/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker",
        Map.of("X-MBX-APIKEY", "erin-secret"));
    erin.next();
    erin.next();
    JsonArray narrowed = new JsonArray();
    keys().forEach(k -> narrowed.add(((JsonObject) k).getString("id").equals("erin")
        ? key("erin", "erin-secret", 0, new JsonArray().add("BTCUSDT")) : k));
    try {
      Files.writeString(FILES.get(transport), new JsonObject().put("keys", narrowed).encode());
      assertThat(erin.next().encode()).isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Unsubscribed: this key is no longer "
          + "entitled to stream ethusdt@bookTicker\"},\"id\":null}");
      assertThat(erin.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}").getJsonArray("result"))
          .containsExactly("btcusdt@bookTicker");
      node.produce("ETHUSDT", 30);
      node.produce("BTCUSDT", 31);
      JsonObject next = erin.next();
      assertThat(next.getString("stream")).isEqualTo("btcusdt@bookTicker");
      assertThat(next.getJsonObject("data").getLong("u")).isEqualTo(31);
      assertThat(erin.isClosed()).isFalse();
      erin.close();
    } finally {
      Files.writeString(FILES.get(transport), new JsonObject().put("keys", keys()).encode());
    }
  }

  private static boolean close(TestClient c) {
    c.close();
    return true;
  }

  @Test
  void aKeysFileThatNoLongerParsesKeepsThePreviousKeysAndIsCounted() throws Exception {
    FanoutFixture node = NODES.get("vertx");
    TestClient c = AccessClients.open(node, "/ws/btcusdt@bookTicker", Map.of("X-MBX-APIKEY", "dave-secret"));
    c.next();
    double failures = node.meter(FanoutMetrics.ACCESS_RELOAD_FAILURES);
    Files.writeString(FILES.get("vertx"), "{\"keys\": [ half-written");
    await().atMost(Duration.ofSeconds(20)).until(() -> node.meter(FanoutMetrics.ACCESS_RELOAD_FAILURES) > failures);
    assertThat(c.isClosed()).isFalse();
    TestClient again = AccessClients.open(node, "/ws/btcusdt@bookTicker", Map.of("X-MBX-APIKEY", "dave-secret"));
    again.close();
    c.close();
    Files.writeString(FILES.get("vertx"), new JsonObject().put("keys", keys()).encode());
    double refusedBefore = node.verticle.meterRegistry().get(FanoutMetrics.ACCESS_REFUSED).tag("reason", "bad-key")
        .counter().count();
    assertThat(AccessClients.refused(node, "/ws", Map.of("X-MBX-APIKEY", "nope")).status()).isEqualTo(401);
    assertThat(node.verticle.meterRegistry().get(FanoutMetrics.ACCESS_REFUSED).tag("reason", "bad-key").counter().count())
        .isEqualTo(refusedBefore + 1);
  }

  @Test
  void sockJsNeedsTheKeyOnEveryRequestAndHonoursEntitlements() {
    FanoutFixture node = NODES.get("channel");
    assertThat(AccessClients.http(node, HttpMethod.GET, "/sockjs/info", Map.of(), null).status()).isEqualTo(401);
    assertThat(AccessClients.http(node, HttpMethod.GET, "/sockjs/info?apiKey=nope", Map.of(), null).status()).isEqualTo(401);
    assertThat(AccessClients.http(node, HttpMethod.GET, "/sockjs/info?apiKey=bob-secret", Map.of(), null).status())
        .isEqualTo(200);
    assertThat(AccessClients.refused(node, "/sockjs/000/k1/websocket", Map.of()).status()).isEqualTo(401);
    assertThat(AccessClients.http(node, HttpMethod.POST, "/sockjs/000/k2/xhr_streaming", Map.of(), null).status())
        .isEqualTo(401);
    // sockjs-client keeps the base URL's query string on every request: the key rides along.
    TestClient c = AccessClients.open(node, "/sockjs/000/k3/websocket?apiKey=bob-secret", Map.of());
    assertThat(c.nextText()).isEqualTo("o");
    c.send(new JsonArray().add("{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@bookTicker\"],\"id\":1}").encode());
    String reply = c.nextText();
    assertThat(reply).startsWith("a[");
    JsonObject error = new JsonObject(new JsonArray(reply.substring(1)).getString(0));
    assertThat(error.getJsonObject("error").getString("msg")).contains("not entitled");
    c.send(new JsonArray().add("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\"],\"id\":2}").encode());
    assertThat(c.nextText()).contains("\\\"id\\\":2");
    c.close();
  }

  @Test
  void aSockJsSessionPastItsKeysLimitIsClosed() {
    FanoutFixture node = NODES.get("channel");
    Map<String, String> alice = Map.of("X-MBX-APIKEY", "alice-secret");
    TestClient one = AccessClients.open(node, "/ws/btcusdt@bookTicker", alice);
    TestClient two = AccessClients.open(node, "/sockjs/000/k4/websocket?apiKey=alice-secret", Map.of());
    assertThat(two.nextText()).isEqualTo("o");
    TestClient three = AccessClients.open(node, "/sockjs/000/k5/websocket", alice);
    assertThat(three.nextText()).isEqualTo("o");
    // Vert.x 5.0.7's SockJS sessions close with SockJS's own frame whatever code is asked for.
    assertThat(three.nextText()).isEqualTo("c[3000,\"Go away!\"]");
    TestClient other = AccessClients.open(node, "/sockjs/000/k6/websocket", Map.of("X-MBX-APIKEY", "dave-secret"));
    assertThat(other.nextText()).isEqualTo("o");
    other.close();
    one.close();
    two.close();
    three.close();
  }
}
