package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static io.tickstream.fanout.WireWebSocketClient.close;
import static io.tickstream.fanout.WireWebSocketClient.text;
import static io.tickstream.fanout.WireWebSocketClient.upgradeRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6455 on the wire, as the node's own WebSocket pipeline speaks it (issue 12): the opening handshake and its
 * refusals, the close handshake both ways, fragmented messages, control frames inside them, pings, and the limits
 * on what a client may send. Each case uses raw bytes on a TCP socket, so nothing a client library smooths over is
 * hidden.
 */
@ExtendWith(KafkaBrokerExtension.class)
class WebSocketWireTest {

  private static final int MAX_FRAME_BYTES = 4096;
  private static FanoutFixture node;

  @BeforeAll
  static void start() {
    node = FanoutFixture.create("wire", new JsonObject().put("fanout.max-frame-bytes", MAX_FRAME_BYTES)
        .put("fanout.max-messages-per-second", 50));
    node.produce("BNBUSDT", 1);
    node.deploy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static WireWebSocketClient open(String uri) throws Exception {
    WireWebSocketClient c = new WireWebSocketClient(node.port());
    c.write(upgradeRequest(uri, ""));
    assertThat(c.readHead()).startsWith("HTTP/1.1 101");
    return c;
  }

  @Test
  void theHandshakeAnswersWithTheRfcAcceptKeyAndSelectsNoSubprotocol() throws Exception {
    try (WireWebSocketClient c = new WireWebSocketClient(node.port())) {
      c.write(upgradeRequest("/ws/bnbusdt@bookTicker", "Sec-WebSocket-Protocol: chat, superchat\r\n"
          + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
      String head = c.readHead().toLowerCase();
      assertThat(head).startsWith("http/1.1 101 switching protocols\r\n")
          .contains("upgrade: websocket\r\n").contains("connection: upgrade\r\n")
          // RFC 6455 section 1.3's own example key and answer.
          .contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n")
          .doesNotContain("sec-websocket-protocol").doesNotContain("sec-websocket-extensions");
      assertThat(new JsonObject(c.readSkippingPings().text()).getString("s")).isEqualTo("BNBUSDT");
    }
  }

  @Test
  void anUnsupportedOrMissingVersionIsAnswered426WithTheVersionWeSpeak() throws Exception {
    for (String version : new String[] {"Sec-WebSocket-Version: 12\r\n", ""}) {
      try (WireWebSocketClient c = new WireWebSocketClient(node.port())) {
        c.write("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + WireWebSocketClient.KEY + "\r\n" + version + "\r\n");
        String response = c.readResponse().toLowerCase();
        assertThat(response).startsWith("http/1.1 426").contains("sec-websocket-version: 13\r\n");
      }
    }
  }

  @Test
  void aMissingOrMalformedKeyIsABadRequest() throws Exception {
    for (String key : new String[] {"", "Sec-WebSocket-Key: not-base64-of-16-bytes\r\n"}) {
      try (WireWebSocketClient c = new WireWebSocketClient(node.port())) {
        c.write("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + key
            + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertThat(c.readResponse()).startsWith("HTTP/1.1 400");
      }
    }
  }

  @Test
  void aRequestThatIsNoUpgradeIsRefusedAndThePortKeepsServingHttp() throws Exception {
    try (WireWebSocketClient c = new WireWebSocketClient(node.port())) {
      c.write("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readResponse()).startsWith("HTTP/1.1 400");
      // Same connection, keep-alive: the router still answers (the board's page).
      c.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readResponse()).startsWith("HTTP/1.1 200");
    }
    try (WireWebSocketClient c = new WireWebSocketClient(node.port())) {
      c.write("POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
          + WireWebSocketClient.KEY + "\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n");
      assertThat(c.readResponse()).startsWith("HTTP/1.1 405");
    }
  }

  @Test
  void framesSentRightBehindTheUpgradeRequestAreNotLost() throws Exception {
    try (WireWebSocketClient c = new WireWebSocketClient(node.port())) {
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.write(upgradeRequest("/ws", "").getBytes(StandardCharsets.US_ASCII));
      both.write(text(true, 1, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":7}"));
      c.write(both.toByteArray());
      assertThat(c.readHead()).startsWith("HTTP/1.1 101");
      assertThat(c.readSkippingPings().text()).isEqualTo("{\"result\":[],\"id\":7}");
    }
  }

  @Test
  void aFragmentedMessageWithAPingBetweenItsFragmentsIsOneRequestAndThePingGetsItsPong() throws Exception {
    try (WireWebSocketClient c = open("/ws")) {
      c.write(text(false, 1, "{\"method\":\"SUBSCRIBE\","));
      c.write(WireWebSocketClient.frame(true, 9, "are you there".getBytes(StandardCharsets.UTF_8), true));
      c.write(text(false, 0, "\"params\":[\"bnbusdt@bookTicker\"],"));
      c.write(text(true, 0, "\"id\":3}"));
      WireWebSocketClient.WireFrame pong = c.readSkippingPings();
      assertThat(pong.opcode()).isEqualTo(10);
      assertThat(pong.text()).isEqualTo("are you there");
      assertThat(c.readSkippingPings().text()).isEqualTo("{\"result\":null,\"id\":3}");
      assertThat(new JsonObject(c.readSkippingPings().text()).getLong("u")).isEqualTo(1);
    }
  }

  @Test
  void theClientsCloseIsAnsweredWithItsCodeAndTheServerEndsTheTcpConnection() throws Exception {
    try (WireWebSocketClient c = open("/ws")) {
      c.write(close(1000));
      WireWebSocketClient.WireFrame reply = c.readSkippingPings();
      assertThat(reply.opcode()).isEqualTo(8);
      assertThat(reply.closeStatus()).isEqualTo(1000);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  /** Found by WireFuzzTest: codes above 4999 were echoed, a close frame no client may accept. */
  @Test
  void aCloseWithACodeNoOneDefinesIsAnsweredAsAProtocolError() throws Exception {
    for (int code : new int[] {5000, 65535}) {
      try (WireWebSocketClient c = open("/ws")) {
        c.write(close(code));
        WireWebSocketClient.WireFrame reply = c.readSkippingPings();
        assertThat(reply.opcode()).isEqualTo(8);
        assertThat(reply.closeStatus()).isEqualTo(1002);
        assertThat(c.closedByServer()).isTrue();
      }
    }
  }

  @Test
  void aServerCloseEndsTheTcpConnectionOnceTheClientAnswers() throws Exception {
    try (WireWebSocketClient c = open("/ws")) {
      c.write(WireWebSocketClient.frame(true, 2, new byte[] {1, 2, 3}, true));
      WireWebSocketClient.WireFrame close = c.readSkippingPings();
      assertThat(close.opcode()).isEqualTo(8);
      assertThat(close.closeStatus()).isEqualTo(1003);
      c.write(WireWebSocketClient.close(1003));
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void aMessageOverTheLimitClosesWith1009WhetherInOneFrameOrInFragments() throws Exception {
    String big = "x".repeat(MAX_FRAME_BYTES * 4 + 1);
    // Up to 4x the limit the session reads it and refuses it; beyond, the transport refuses the frame itself.
    for (String payload : new String[] {"y".repeat(MAX_FRAME_BYTES + 1), big}) {
      try (WireWebSocketClient c = open("/ws")) {
        c.write(text(true, 1, payload));
        WireWebSocketClient.WireFrame close = c.readSkippingPings();
        assertThat(close.opcode()).isEqualTo(8);
        assertThat(close.closeStatus()).isEqualTo(1009);
      }
    }
    try (WireWebSocketClient c = open("/ws")) {
      String part = "z".repeat(MAX_FRAME_BYTES);
      c.write(text(false, 1, part));
      for (int i = 0; i < 4; i++) {
        c.write(text(false, 0, part)); // the fourth makes five fragments: over 4x the limit
      }
      WireWebSocketClient.WireFrame close = c.readSkippingPings();
      assertThat(close.opcode()).isEqualTo(8);
      assertThat(close.closeStatus()).isEqualTo(1009);
    }
  }

  @Test
  void anUnmaskedClientFrameIsAProtocolError() throws Exception {
    try (WireWebSocketClient c = open("/ws")) {
      c.write(WireWebSocketClient.frame(true, 1, "{}".getBytes(StandardCharsets.UTF_8), false));
      WireWebSocketClient.WireFrame close = c.readSkippingPings();
      assertThat(close.opcode()).isEqualTo(8);
      assertThat(close.closeStatus()).isEqualTo(1002);
    }
  }

  @Test
  void theNodeKeepsServingAfterEveryKindOfRefusal() throws Exception {
    try (WireWebSocketClient c = open("/ws/bnbusdt@bookTicker")) {
      assertThat(new JsonObject(c.readSkippingPings().text()).getString("s")).isEqualTo("BNBUSDT");
    }
  }
}
