package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admission control on the client port (issue 13), each hole reproduced as an attacker would on loopback: one address
 * opening more than 300 connections in 5 minutes (WebSocket and SockJS alike), idle and half-sent connections that
 * never upgrade, and client addresses spoofed through {@code X-Forwarded-For} or the PROXY protocol. Clients come from
 * distinct loopback addresses (127.0.0.0/8) so each test has addresses of its own.
 */
@ExtendWith(KafkaBrokerExtension.class)
class AdmissionTest {

  private static final String LIST = "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":7}";
  private static final byte[] NO_PREFIX = new byte[0];

  /** Default per-IP limit (300 per 5 minutes), 1 s handshake and 2 s idle timeouts, the channel transport. */
  private static FanoutFixture node;
  /** The Vert.x transport; 2 per IP, 127.0.50.0/24 exempt; X-Forwarded-For believed from 127.0.30.1 only. */
  private static FanoutFixture forwarded;
  /** PROXY protocol; 1 per IP; headers believed from 127.0.40.1 only. */
  private static FanoutFixture proxied;

  @BeforeAll
  static void start() {
    // Loopback is exempt by default (benchmarks, the load generator); these nodes count it like any address.
    node = FanoutFixture.started("admission", new JsonObject().put("fanout.connections-per-ip-exempt", "")
        .put("fanout.handshake-timeout", "1s").put("fanout.http-idle-timeout", "2s"));
    forwarded = FanoutFixture.started("admission-xff", new JsonObject().put("fanout.websocket-transport", "vertx")
        .put("fanout.connections-per-ip", 2).put("fanout.trusted-proxies", "127.0.30.1")
        .put("fanout.connections-per-ip-exempt", "127.0.50.0/24")
        .put("fanout.handshake-timeout", "1s").put("fanout.http-idle-timeout", "2s"));
    proxied = FanoutFixture.started("admission-proxy", new JsonObject().put("fanout.proxy-protocol", true)
        .put("fanout.connections-per-ip", 1).put("fanout.trusted-proxies", "127.0.40.1")
        .put("fanout.connections-per-ip-exempt", ""));
  }

  @AfterAll
  static void stop() {
    node.close();
    forwarded.close();
    proxied.close();
  }

  private static double refused(FanoutFixture f, String reason) {
    return f.verticle.meterRegistry().get(FanoutMetrics.ADMISSION_REFUSED).tag("reason", reason).counter().count();
  }

  @Test
  void the301stConnectionFromOneAddressInFiveMinutesIsRefusedWith429AndSockJSSessionsCount() throws IOException {
    assertThat(FanoutSettings.CONNECTIONS_PER_IP.defaultValue()).isEqualTo(300);
    // 290 WebSockets and 10 SockJS sessions: the 300 the window allows.
    for (int i = 0; i < 290; i++) {
      assertThat(AdmissionPeer.upgradeStatus("127.0.10.1", node.port(), NO_PREFIX, "")).startsWith("HTTP/1.1 101");
    }
    for (int i = 0; i < 10; i++) {
      assertThat(AdmissionPeer.sockJSSessionStatus("127.0.10.1", node.port(), "limit" + i)).startsWith("HTTP/1.1 200");
    }
    String refusal = AdmissionPeer.upgradeStatus("127.0.10.1", node.port(), NO_PREFIX, "");
    assertThat(refusal).isEqualTo("HTTP/1.1 429 Too Many Requests\n{\"error\":{\"code\":2,"
        + "\"msg\":\"Too many connections: at most 300 per 5 minutes per IP\"},\"id\":null}");
    assertThat(AdmissionPeer.sockJSSessionStatus("127.0.10.1", node.port(), "limit-over"))
        .isEqualTo("HTTP/1.1 429 Too Many Requests");
    // Another address is not affected.
    assertThat(AdmissionPeer.upgradeStatus("127.0.10.2", node.port(), NO_PREFIX, "")).startsWith("HTTP/1.1 101");
    assertThat(AdmissionPeer.sockJSSessionStatus("127.0.10.2", node.port(), "other")).startsWith("HTTP/1.1 200");
    assertThat(refused(node, "per-ip")).isEqualTo(2);
    assertThat(node.admin("/metrics").body())
        .contains("tickstream_fanout_admission_refused_total{reason=\"per-ip\"} 2.0");
  }

  @Test
  void anIdleSocketAHalfSentUpgradeAndATricklingSlowlorisAreClosedAtTheHandshakeTimeout() throws Exception {
    long start = System.nanoTime();
    try (AdmissionPeer idle = new AdmissionPeer("127.0.20.1", node.port());
         AdmissionPeer halfSent = new AdmissionPeer("127.0.20.2", node.port());
         AdmissionPeer slowloris = new AdmissionPeer("127.0.20.3", node.port());
         ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor()) {
      halfSent.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnec");
      slowloris.write("GET /ws HTTP/1.1\r\n");
      // One header byte every 100 ms, never the end of the headers: bytes keep arriving, the deadline must not move.
      trickle.scheduleAtFixedRate(() -> {
        try {
          slowloris.write("X");
        } catch (IOException closed) {
          throw new RuntimeException(closed);
        }
      }, 100, 100, TimeUnit.MILLISECONDS);
      idle.awaitClosedByNode();
      halfSent.awaitClosedByNode();
      slowloris.awaitClosedByNode();
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1000));
    }
    assertThat(refused(node, "handshake-timeout")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aKeepAliveConnectionIsClosedAtTheIdleTimeoutAfterItsResponse() throws IOException {
    try (AdmissionPeer http = new AdmissionPeer("127.0.21.1", node.port())) {
      long asked = System.nanoTime();
      http.write("GET /sockjs/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertThat(http.readResponse()).startsWith("HTTP/1.1 200");
      http.awaitClosedByNode();
      // The idle timeout runs from the end of the response, which is after the request was sent.
      assertThat(System.nanoTime() - asked).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(2000));
    }
    assertThat(refused(node, "idle-timeout")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aSlowlorisOnALaterRequestIsClosedAtTheIdleTimeout() throws Exception {
    try (AdmissionPeer http = new AdmissionPeer("127.0.21.2", node.port());
         ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor()) {
      long asked = System.nanoTime();
      http.write("GET /sockjs/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertThat(http.readResponse()).startsWith("HTTP/1.1 200");
      http.write("GET /ws HTTP/1.1\r\n");
      trickle.scheduleAtFixedRate(() -> {
        try {
          http.write("X");
        } catch (IOException closed) {
          throw new RuntimeException(closed);
        }
      }, 100, 100, TimeUnit.MILLISECONDS);
      http.awaitClosedByNode();
      assertThat(System.nanoTime() - asked).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(2000));
    }
  }

  /** Waits until a keep-alive connection opened now has been closed by the idle timeout: both timeouts have passed. */
  private static void awaitBothTimeoutsPassed(FanoutFixture f, String source) throws IOException {
    try (AdmissionPeer witness = new AdmissionPeer(source, f.port())) {
      witness.write("GET /sockjs/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertThat(witness.readResponse()).startsWith("HTTP/1.1 200");
      witness.awaitClosedByNode();
    }
  }

  private static void assertWebSocketAnswers(AdmissionPeer ws, String message, String reply) throws IOException {
    ws.write(WireWebSocketClient.text(true, 1, message));
    WireWebSocketClient.WireFrame f;
    do {
      f = WireWebSocketClient.readFrame(ws.in);
    } while (f.opcode() == 9);
    assertThat(f.text()).isEqualTo(reply);
  }

  @Test
  void upgradedWebSocketsThatNeverSendAByteOutliveBothTimeoutsOnEveryTransport() throws IOException {
    try (AdmissionPeer channel = AdmissionPeer.upgrade("127.0.22.1", node.port(), NO_PREFIX, "/ws", "");
         AdmissionPeer vertx = AdmissionPeer.upgrade("127.0.22.2", forwarded.port(), NO_PREFIX, "/ws", "");
         AdmissionPeer sockjs = AdmissionPeer.upgrade("127.0.22.3", node.port(), NO_PREFIX,
             "/sockjs/000/quietws/websocket", "")) {
      assertThat(channel.readResponse()).startsWith("HTTP/1.1 101");
      assertThat(vertx.readResponse()).startsWith("HTTP/1.1 101");
      assertThat(sockjs.readResponse()).startsWith("HTTP/1.1 101");
      assertThat(WireWebSocketClient.readFrame(sockjs.in).text()).isEqualTo("o");
      awaitBothTimeoutsPassed(node, "127.0.22.4");
      awaitBothTimeoutsPassed(forwarded, "127.0.22.4");
      assertWebSocketAnswers(channel, LIST, "{\"result\":[],\"id\":7}");
      assertWebSocketAnswers(vertx, LIST, "{\"result\":[],\"id\":7}");
      assertWebSocketAnswers(sockjs, new io.vertx.core.json.JsonArray().add(LIST).encode(),
          "a[\"{\\\"result\\\":[],\\\"id\\\":7}\"]");
    }
  }

  @Test
  void aSockJSStreamingSessionOutlivesBothTimeouts() throws IOException {
    try (AdmissionPeer stream = new AdmissionPeer("127.0.23.1", node.port())) {
      stream.write("POST /sockjs/000/quietxhr/xhr_streaming HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
      assertThat(stream.readHead()).startsWith("HTTP/1.1 200");
      stream.readUntil("o\n");
      awaitBothTimeoutsPassed(node, "127.0.23.2");
      try (AdmissionPeer send = new AdmissionPeer("127.0.23.3", node.port())) {
        byte[] body = new io.vertx.core.json.JsonArray().add(LIST).encode().getBytes(StandardCharsets.UTF_8);
        send.write("POST /sockjs/000/quietxhr/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
            + "Content-Length: " + body.length + "\r\n\r\n");
        send.write(body);
        assertThat(send.readResponse()).startsWith("HTTP/1.1 204");
      }
      stream.readUntil("\\\"id\\\":7");
    }
  }

  @Test
  void forwardedForIsBelievedFromATrustedProxyOnlyAndOnlyItsOwnHop() throws IOException {
    String viaProxy = "X-Forwarded-For: 198.51.100.1\r\n";
    assertThat(AdmissionPeer.upgradeStatus("127.0.30.1", forwarded.port(), NO_PREFIX, viaProxy)).startsWith("HTTP/1.1 101");
    assertThat(AdmissionPeer.upgradeStatus("127.0.30.1", forwarded.port(), NO_PREFIX, viaProxy)).startsWith("HTTP/1.1 101");
    assertThat(AdmissionPeer.upgradeStatus("127.0.30.1", forwarded.port(), NO_PREFIX, viaProxy)).startsWith("HTTP/1.1 429");
    // Another client behind the same proxy has budget of its own.
    assertThat(AdmissionPeer.upgradeStatus("127.0.30.1", forwarded.port(), NO_PREFIX, "X-Forwarded-For: 198.51.100.2\r\n"))
        .startsWith("HTTP/1.1 101");
    // A client that writes X-Forwarded-For itself: the proxy appends the address it saw; only that one counts.
    for (int i = 0; i < 2; i++) {
      assertThat(AdmissionPeer.upgradeStatus("127.0.30.1", forwarded.port(), NO_PREFIX,
          "X-Forwarded-For: 203.0.113." + i + ", 198.51.100.5\r\n")).startsWith("HTTP/1.1 101");
    }
    assertThat(AdmissionPeer.upgradeStatus("127.0.30.1", forwarded.port(), NO_PREFIX,
        "X-Forwarded-For: 203.0.113.9, 198.51.100.5\r\n")).startsWith("HTTP/1.1 429");
    // Straight from an untrusted peer the header is ignored: a new spoofed address per attempt does not help.
    for (int i = 0; i < 2; i++) {
      assertThat(AdmissionPeer.upgradeStatus("127.0.30.2", forwarded.port(), NO_PREFIX,
          "X-Forwarded-For: 192.0.2." + i + "\r\n")).startsWith("HTTP/1.1 101");
    }
    assertThat(AdmissionPeer.upgradeStatus("127.0.30.2", forwarded.port(), NO_PREFIX, "X-Forwarded-For: 192.0.2.99\r\n"))
        .startsWith("HTTP/1.1 429");
  }

  @Test
  void exemptAddressesAreNotCounted() throws IOException {
    for (int i = 0; i < 5; i++) {
      assertThat(AdmissionPeer.upgradeStatus("127.0.50.1", forwarded.port(), NO_PREFIX, "")).startsWith("HTTP/1.1 101");
    }
    assertThat(FanoutSettings.CONNECTIONS_PER_IP_EXEMPT.defaultValue()).containsExactly("127.0.0.0/8", "::1");
  }

  private static byte[] proxyV1(String source) {
    return ("PROXY TCP4 " + source + " 127.0.0.1 40000 8080\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] proxyV2(int[] source) {
    ByteBuffer b = ByteBuffer.allocate(28);
    b.put(new byte[]{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    b.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
    for (int octet : source) {
      b.put((byte) octet);
    }
    b.put(new byte[]{127, 0, 0, 1}).putShort((short) 40000).putShort((short) 8080);
    return b.array();
  }

  @Test
  void aProxyProtocolHeaderFromATrustedPeerNamesTheClientAndFromAnyOtherPeerIsIgnored() throws IOException {
    int port = proxied.port();
    assertThat(AdmissionPeer.upgradeStatus("127.0.40.1", port, proxyV1("192.0.2.1"), "")).startsWith("HTTP/1.1 101");
    assertThat(AdmissionPeer.upgradeStatus("127.0.40.1", port, proxyV1("192.0.2.1"), "")).startsWith("HTTP/1.1 429");
    assertThat(AdmissionPeer.upgradeStatus("127.0.40.1", port, proxyV1("192.0.2.2"), "")).startsWith("HTTP/1.1 101");
    assertThat(AdmissionPeer.upgradeStatus("127.0.40.1", port, proxyV2(new int[]{192, 0, 2, 3}), ""))
        .startsWith("HTTP/1.1 101");
    assertThat(AdmissionPeer.upgradeStatus("127.0.40.1", port, proxyV2(new int[]{192, 0, 2, 3}), ""))
        .startsWith("HTTP/1.1 429");
    // Without a header the port serves nothing: the connection is closed.
    try (AdmissionPeer bare = AdmissionPeer.upgrade("127.0.40.1", port, NO_PREFIX, "/ws", "")) {
      bare.awaitClosedByNode();
    }
    // An untrusted peer's header is read (the port requires one) but not believed: it counts as itself.
    assertThat(AdmissionPeer.upgradeStatus("127.0.40.2", port, proxyV1("192.0.2.4"), "")).startsWith("HTTP/1.1 101");
    assertThat(AdmissionPeer.upgradeStatus("127.0.40.2", port, proxyV2(new int[]{192, 0, 2, 5}), ""))
        .startsWith("HTTP/1.1 429");
  }
}
