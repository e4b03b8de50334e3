package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tickstream.fanout.AccessClients.Answer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, Origin: with {@code fanout.allowed-origins} set, a page of another origin cannot open a WebSocket
 * ({@code /ws}, {@code /stream}, on both WebSocket transports) or any SockJS request: 403 before the upgrade. Listed
 * origins and clients without an Origin (native ones) connect. SockJS's CORS never hands credentials to an origin
 * that is not listed, and no multipart upload to {@code /sockjs} reaches the disk.
 */
@ExtendWith(KafkaBrokerExtension.class)
class OriginTest {

  private static final String APP = "https://app.example.com";
  private static final String SUBDOMAIN = "https://feed.example.org";
  private static final String EVIL = "https://evil.example.net";
  private static FanoutFixture channel;
  private static FanoutFixture vertx;
  private static FanoutFixture open;

  @BeforeAll
  static void start() {
    JsonObject restricted = new JsonObject().put("fanout.allowed-origins", APP + ",https://*.example.org");
    channel = node("origin-channel", restricted.copy().put("fanout.websocket-transport", "channel"));
    vertx = node("origin-vertx", restricted.copy().put("fanout.websocket-transport", "vertx"));
    open = node("origin-open", new JsonObject());
  }

  private static FanoutFixture node(String name, JsonObject config) {
    FanoutFixture f = FanoutFixture.create(name, config.put("fanout.instances", 1));
    f.produce("BTCUSDT", 1);
    return f.deploy();
  }

  @AfterAll
  static void stop() {
    for (FanoutFixture f : new FanoutFixture[]{channel, vertx, open}) {
      if (f != null) {
        f.close();
      }
    }
  }

  private static FanoutFixture node(String transport) {
    return transport.equals("channel") ? channel : vertx;
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void aDisallowedOriginIsRefusedWith403BeforeTheUpgrade(String transport) {
    for (String uri : List.of("/ws/btcusdt@bookTicker", "/ws", "/stream?streams=btcusdt@bookTicker")) {
      Answer a = AccessClients.refused(node(transport), uri, Map.of("Origin", EVIL));
      assertThat(a.status()).as(uri).isEqualTo(403);
      assertThat(new JsonObject(a.body()).getJsonObject("error").getString("msg")).contains("origin").contains(EVIL);
    }
    // "null" is what sandboxed frames and file: pages send: not a listed origin.
    assertThat(AccessClients.refused(node(transport), "/ws", Map.of("Origin", "null")).status()).isEqualTo(403);
    // The hybi-08 draft's name for it.
    assertThat(AccessClients.refused(node(transport), "/ws", Map.of("Sec-WebSocket-Origin", EVIL)).status()).isEqualTo(403);
    // A look-alike is no subdomain.
    assertThat(AccessClients.refused(node(transport), "/ws", Map.of("Origin", "https://evilexample.org")).status())
        .isEqualTo(403);
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void listedOriginsAndClientsWithoutAnOriginReceiveTicks(String transport) {
    for (Map<String, String> headers : List.of(Map.of("Origin", APP), Map.of("Origin", SUBDOMAIN), Map.<String, String>of())) {
      TestClient c = AccessClients.open(node(transport), "/ws/btcusdt@bookTicker", headers);
      assertThat(c.next().getString("s")).as("%s", headers).isEqualTo("BTCUSDT");
      c.close();
      TestClient s = AccessClients.open(node(transport), "/stream?streams=btcusdt@bookTicker", headers);
      assertThat(s.next().getString("stream")).as("%s", headers).isEqualTo("btcusdt@bookTicker");
      s.close();
    }
  }

  @Test
  void sockJsRefusesADisallowedOriginOnEveryRequestIncludingItsWebSocket() {
    Answer info = AccessClients.http(channel, HttpMethod.GET, "/sockjs/info", Map.of("Origin", EVIL), null);
    assertThat(info.status()).isEqualTo(403);
    assertThat(info.headers().get("Access-Control-Allow-Credentials")).isNull();
    Answer preflight = AccessClients.http(channel, HttpMethod.OPTIONS, "/sockjs/000/s1/xhr_send",
        Map.of("Origin", EVIL, "Access-Control-Request-Method", "POST"), null);
    assertThat(preflight.status()).isEqualTo(403);
    assertThat(AccessClients.http(channel, HttpMethod.POST, "/sockjs/000/s1/xhr_streaming", Map.of("Origin", EVIL), null)
        .status()).isEqualTo(403);
    assertThat(AccessClients.refused(channel, "/sockjs/000/s2/websocket", Map.of("Origin", EVIL)).status()).isEqualTo(403);
    assertThat(AccessClients.refused(channel, "/sockjs/websocket", Map.of("Origin", EVIL)).status()).isEqualTo(403);
  }

  @Test
  void sockJsGivesCredentialsOnlyToAListedOrigin() {
    Answer listed = AccessClients.http(channel, HttpMethod.GET, "/sockjs/info", Map.of("Origin", APP), null);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.headers().get("Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(listed.headers().get("Access-Control-Allow-Credentials")).isEqualTo("true");
    TestClient ws = AccessClients.open(channel, "/sockjs/000/s3/websocket", Map.of("Origin", APP));
    assertThat(ws.nextText()).isEqualTo("o");
    ws.close();

    // The default, any origin: every origin may connect, none gets credentials.
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.OPTIONS)) {
      Answer any = AccessClients.http(open, method, "/sockjs/info",
          Map.of("Origin", EVIL, "Access-Control-Request-Method", "GET"), null);
      assertThat(any.status()).as("%s", method).isBetween(200, 204);
      assertThat(any.headers().get("Access-Control-Allow-Origin")).as("%s", method).isEqualTo("*");
      assertThat(any.headers().getAll("Access-Control-Allow-Credentials")).as("%s", method).isEmpty();
    }
    Answer xhr = AccessClients.http(open, HttpMethod.POST, "/sockjs/000/s4/xhr", Map.of("Origin", EVIL), null);
    assertThat(xhr.status()).isEqualTo(200);
    assertThat(xhr.headers().getAll("Access-Control-Allow-Credentials")).isEmpty();
    TestClient evil = AccessClients.open(open, "/sockjs/000/s5/websocket", Map.of("Origin", EVIL));
    assertThat(evil.nextText()).isEqualTo("o");
    evil.close();
    TestClient native_ = AccessClients.open(open, "/ws/btcusdt@bookTicker", Map.of("Origin", EVIL));
    assertThat(native_.next().getString("s")).isEqualTo("BTCUSDT");
    native_.close();
  }

  @Test
  void aMultipartUploadToSockJsLeavesNoFileOnDisk() throws Exception {
    Path uploads = Path.of("file-uploads");
    List<Path> before = AccessClients.files(uploads);
    String boundary = "tickstreamBoundary";
    Buffer body = AccessClients.multipart(boundary);
    for (String uri : List.of("/sockjs/000/u1/xhr_send", "/sockjs/000/u1/jsonp_send", "/sockjs/info", "/sockjs/000/u2/xhr")) {
      Answer a = AccessClients.http(open, HttpMethod.POST, uri,
          Map.of("Content-Type", "multipart/form-data; boundary=" + boundary), body);
      assertThat(a.status()).as(uri).isBetween(200, 499);
    }
    assertThat(AccessClients.files(uploads)).isEqualTo(before);
    if (before.isEmpty()) {
      assertThat(uploads).doesNotExist();
    }
  }
}
