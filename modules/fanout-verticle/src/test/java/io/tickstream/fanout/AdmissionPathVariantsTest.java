package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, point 1: the per-IP limit counts every session a request really opens, whatever spelling of the path it
 * came with. For each transport (raw WebSocket on {@code /ws} and {@code /stream}, SockJS's websocket and raw websocket
 * transports, and every SockJS HTTP transport) the test tries percent-encoded, double-slashed, dot-segment and
 * mixed-case variants of its path, each from a fresh client address: however many times a variant is tried, and then
 * the canonical path once more, no address ever holds more live sessions than the limit. A variant may open a session
 * (then it was counted) or be refused (404, 429): it never opens one the limit did not see.
 *
 * <p>A session is <em>live</em> if it answers {@code LIST_SUBSCRIPTIONS}: on a WebSocket with a reply, on a SockJS HTTP
 * transport by accepting an {@code xhr_send} (204; a refused or closed session answers 404).
 */
@ExtendWith(KafkaBrokerExtension.class)
class AdmissionPathVariantsTest {

  private static final int LIMIT = 2;
  private static final String LIST = "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":7}";
  private static final AtomicInteger ADDRESSES = new AtomicInteger();
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private static FanoutFixture channel;
  private static FanoutFixture vertx;

  @BeforeAll
  static void start() {
    JsonObject limits = new JsonObject().put("fanout.connections-per-ip", LIMIT).put("fanout.connections-per-ip-exempt", "");
    channel = FanoutFixture.started("variants", limits.copy());
    vertx = FanoutFixture.started("variants-vertx", limits.copy().put("fanout.websocket-transport", "vertx"));
  }

  @AfterAll
  static void stop() {
    channel.close();
    vertx.close();
  }

  /** A fresh loopback address per scenario: 127.0.(100 + n / 250).(n % 250 + 1). */
  private static String freshAddress() {
    int n = ADDRESSES.getAndIncrement();
    return "127.0." + (100 + n / 250) + "." + (n % 250 + 1);
  }

  /** How a transport opens a session at a path, and how the test tells whether that session is live. */
  private interface Transport {
    /** Opens a session {@code session} at {@code path} and returns whether it is live. */
    boolean open(String source, int port, String path, String session) throws IOException;
  }

  /** A raw WebSocket (no SockJS framing): live if LIST_SUBSCRIPTIONS gets its reply. */
  private static boolean rawWebSocket(String source, int port, String path, String session) throws IOException {
    try (AdmissionPeer ws = AdmissionPeer.upgrade(source, port, new byte[0], path, "")) {
      if (!ws.readResponse().startsWith("HTTP/1.1 101")) {
        return false;
      }
      ws.write(WireWebSocketClient.text(true, 1, LIST));
      return answered(ws, "\"id\":7");
    }
  }

  /** SockJS's websocket transport: {@code o}, then live if the framed LIST_SUBSCRIPTIONS gets its reply. */
  private static boolean sockJSWebSocket(String source, int port, String path, String session) throws IOException {
    try (AdmissionPeer ws = AdmissionPeer.upgrade(source, port, new byte[0], path, "")) {
      if (!ws.readResponse().startsWith("HTTP/1.1 101")) {
        return false;
      }
      WireWebSocketClient.WireFrame open = ws.readSkippingPings();
      if (open.opcode() != 1 || !open.text().equals("o")) {
        return false;
      }
      ws.write(WireWebSocketClient.text(true, 1, new JsonArray().add(LIST).encode()));
      return answered(ws, "\\\"id\\\":7");
    }
  }

  /** Reads text frames until one contains {@code reply} (true) or the node closes (a close frame or EOF: false). */
  private static boolean answered(WireWebSocketClient ws, String reply) throws IOException {
    while (true) {
      WireWebSocketClient.WireFrame f;
      try {
        f = ws.readSkippingPings();
      } catch (java.io.EOFException | java.net.SocketException closed) {
        return false;
      }
      if (f.opcode() == 8) {
        return false;
      }
      // SockJS's raw websocket transport sends the node's messages as binary frames (vertx-web 5.0's write(Buffer)).
      if ((f.opcode() == 1 || f.opcode() == 2) && f.text().contains(reply)) {
        return true;
      }
      if (f.opcode() == 1 && f.text().startsWith("c[")) {
        return false;
      }
    }
  }

  /**
   * A SockJS HTTP transport: the opening request ({@code method} on {@code path}) must answer 200 with the open frame
   * ({@code openMarker}); the session is live if an {@code xhr_send} to it is accepted.
   */
  private static Transport sockJSHttp(String method, String openMarker) {
    return (source, port, path, session) -> {
      try (AdmissionPeer open = new AdmissionPeer(source, port)) {
        open.write(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        if (!open.readHead().startsWith("HTTP/1.1 200")) {
          return false;
        }
        open.readUntil(openMarker);
        try (AdmissionPeer send = new AdmissionPeer(source, port)) {
          byte[] body = new JsonArray().add(LIST).encode().getBytes(StandardCharsets.UTF_8);
          send.write("POST /sockjs/000/" + session + "/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
              + "Content-Length: " + body.length + "\r\n\r\n");
          send.write(body);
          return send.readResponse().startsWith("HTTP/1.1 204");
        }
      }
    };
  }

  /**
   * From a fresh address: each variant LIMIT + 1 times, then the canonical path once; counts the live sessions. At most
   * LIMIT, and the canonical path alone, from another fresh address, opens LIMIT.
   */
  private static void assertEveryVariantCounted(FanoutFixture node, Transport transport, String canonical,
                                                List<String> variants) throws IOException {
    String fresh = freshAddress();
    int live = 0;
    for (int i = 0; i < LIMIT; i++) {
      if (open(transport, fresh, node, canonical)) {
        live++;
      }
    }
    assertThat(live).as("the canonical path %s opens %d sessions from a fresh address", canonical, LIMIT).isEqualTo(LIMIT);
    List<String> over = new ArrayList<>();
    for (String variant : variants) {
      String source = freshAddress();
      int opened = 0;
      for (int i = 0; i <= LIMIT; i++) {
        if (open(transport, source, node, variant)) {
          opened++;
        }
      }
      if (open(transport, source, node, canonical)) {
        opened++;
      }
      if (opened > LIMIT) {
        over.add(variant + " (" + opened + " live sessions from " + source + ")");
      }
    }
    assertThat(over).as("variants of %s that opened more sessions than the limit of %d", canonical, LIMIT).isEmpty();
  }

  /** Opens a session at {@code path}, its {@code {s}} replaced by a fresh session id. */
  private static boolean open(Transport transport, String source, FanoutFixture node, String path) throws IOException {
    String session = "v" + SESSIONS.incrementAndGet();
    return transport.open(source, node.port(), path.replace("{s}", session), session);
  }

  /** Variants of a path: each letter run encoded, doubled slashes, dot segments, other cases. */
  private static List<String> variants(String canonical, String... more) {
    List<String> v = new ArrayList<>(List.of(more));
    int lastSlash = canonical.lastIndexOf('/');
    String last = canonical.substring(lastSlash + 1);
    String head = canonical.substring(0, lastSlash + 1);
    v.add(head + "%" + Integer.toHexString(last.charAt(0)) + last.substring(1));
    v.add(head + last.substring(0, 1).toUpperCase() + last.substring(1));
    v.add(head + last.toUpperCase());
    v.add(head.replace("/", "//") + last);
    v.add(head + "./" + last);
    v.add(head + "x/../" + last);
    v.add("/%" + Integer.toHexString(canonical.charAt(1)) + canonical.substring(2));
    v.add(canonical.substring(0, 1) + canonical.substring(1, 2).toUpperCase() + canonical.substring(2));
    return v;
  }

  @Test
  void rawWebSocketPathsCountEverySpelling() throws IOException {
    for (FanoutFixture node : List.of(channel, vertx)) {
      assertEveryVariantCounted(node, AdmissionPathVariantsTest::rawWebSocket, "/ws", variants("/ws", "/%77s", "/w%73"));
      assertEveryVariantCounted(node, AdmissionPathVariantsTest::rawWebSocket, "/ws/",
          List.of("/%77s/", "//ws/", "/ws//", "/./ws/", "/x/../ws/", "/WS/", "/ws%2F", "/ws/%2F"));
      assertEveryVariantCounted(node, AdmissionPathVariantsTest::rawWebSocket, "/stream", variants("/stream"));
    }
  }

  @Test
  void sockJSWebSocketTransportsCountEverySpelling() throws IOException {
    assertEveryVariantCounted(channel, AdmissionPathVariantsTest::sockJSWebSocket, "/sockjs/000/{s}/websocket",
        variants("/sockjs/000/{s}/websocket", "/sockjs/000/{s}/%77%65bsocket", "/sockjs/0%30%30/{s}/websocket"));
    assertEveryVariantCounted(channel, AdmissionPathVariantsTest::rawWebSocket, "/sockjs/websocket",
        variants("/sockjs/websocket", "/sockjs/%77ebsocke%74", "/sockjs/x/./../websocket"));
  }

  @Test
  void sockJSHttpTransportsCountEverySpelling() throws IOException {
    record Http(String path, String method, String marker) {
    }
    for (Http t : List.of(new Http("/sockjs/000/{s}/xhr_streaming", "POST", "o\n"),
        new Http("/sockjs/000/{s}/xhr", "POST", "o\n"),
        new Http("/sockjs/000/{s}/eventsource", "GET", "data: o"),
        new Http("/sockjs/000/{s}/htmlfile?c=cb", "GET", "p(\"o\")"),
        new Http("/sockjs/000/{s}/jsonp?c=cb", "GET", "cb(\"o\")"))) {
      String path = t.path();
      String query = path.contains("?") ? path.substring(path.indexOf('?')) : "";
      String bare = path.replace(query, "");
      List<String> variants = new ArrayList<>();
      for (String v : variants(bare)) {
        variants.add(v + query);
      }
      if (bare.endsWith("htmlfile")) {
        // SockJS matches htmlfile.* : anything after the name still opens a session.
        variants.add(bare + "x" + query);
        variants.add(bare + "%2E" + query);
      }
      assertEveryVariantCounted(channel, sockJSHttp(t.method(), t.marker()), path, variants);
    }
  }
}
