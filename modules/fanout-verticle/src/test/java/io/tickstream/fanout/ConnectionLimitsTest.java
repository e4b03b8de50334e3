package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.tickstream.fanout.WireWebSocketClient.frame;
import static io.tickstream.fanout.WireWebSocketClient.text;
import static io.tickstream.fanout.WireWebSocketClient.upgradeRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13: every connection's memory is bounded whatever the client sends, on both WebSocket transports. Each test
 * is an attack on a live node over raw TCP: a ping flood that never reads, replies that are never read, unsolicited
 * pongs from a client that never reads, pings and fragments past Binance's 5 messages per second, a 300 KB frame, an
 * oversized fragmented message. Each ends in a close with its documented code, counted by reason in
 * {@code tickstream_fanout_client_closes_total}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ConnectionLimitsTest {

  private static final int WRITE_QUEUE_BYTES = 4096;
  private static final int MAX_OUTBOUND_BYTES = 16384;
  /** Binance's limits (5 messages per second, 64 KiB messages), the defaults. */
  private static final Map<String, FanoutFixture> BINANCE = new HashMap<>();
  /** No practical message rate limit and a small outbound cap: only the cap can stop a flood. */
  private static final Map<String, FanoutFixture> FLOOD = new HashMap<>();
  /** Pings every 100 ms, closed after 400 ms without an echo. */
  private static final Map<String, FanoutFixture> LIVENESS = new HashMap<>();

  @BeforeAll
  static void start() {
    for (String transport : new String[] {"channel", "vertx"}) {
      JsonObject t = new JsonObject().put("fanout.websocket-transport", transport);
      BINANCE.put(transport, started("limits-binance-" + transport, t.copy()));
      FLOOD.put(transport, started("limits-flood-" + transport, t.copy().put("fanout.max-messages-per-second", 1_000_000)
          .put("fanout.write-queue-bytes", WRITE_QUEUE_BYTES).put("fanout.max-outbound-bytes", MAX_OUTBOUND_BYTES)
          .put("fanout.send-buffer-bytes", 4096)));
      LIVENESS.put(transport, started("limits-liveness-" + transport, t.copy().put("fanout.ping-interval", "100ms")
          .put("fanout.pong-timeout", "400ms").put("fanout.max-messages-per-second", 50)));
    }
  }

  private static FanoutFixture started(String name, JsonObject config) {
    FanoutFixture f = FanoutFixture.create(name, config);
    f.produce("BNBUSDT", 1);
    return f.deploy();
  }

  @AfterAll
  static void stop() {
    BINANCE.values().forEach(FanoutFixture::close);
    FLOOD.values().forEach(FanoutFixture::close);
    LIVENESS.values().forEach(FanoutFixture::close);
  }

  private static double closes(FanoutFixture node, String reason) {
    return node.meter(FanoutMetrics.CLIENT_CLOSES, FanoutMetrics.CLIENT_CLOSE_REASON, reason);
  }

  private static WireWebSocketClient open(FanoutFixture node, String uri) throws IOException {
    WireWebSocketClient c = new WireWebSocketClient(node.port());
    c.write(upgradeRequest(uri, ""));
    assertThat(c.readHead()).startsWith("HTTP/1.1 101");
    return c;
  }

  private static byte[] ping() {
    return frame(true, 9, new byte[] {1, 2, 3, 4}, true);
  }

  private static byte[] repeat(byte[] frame, int times) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < times; i++) {
      all.writeBytes(frame);
    }
    return all.toByteArray();
  }

  /** Reads (skipping pings, pongs and ticks) until the close frame; its status. */
  private static int closeStatus(WireWebSocketClient c) throws IOException {
    WireWebSocketClient.WireFrame f;
    do {
      f = c.read();
    } while (f.opcode() != 8);
    return f.closeStatus();
  }

  /** Writes {@code bytes}, or fails quietly once the node has reset the connection. */
  private static void sendUnlessReset(RawWebSocketClient c, byte[] bytes) {
    try {
      c.send(bytes);
    } catch (IOException reset) {
      // the node gave up on the connection: what the test waits for is on the node's side
    }
  }

  /** Every close counter of the node, for failure messages. */
  private static String allCloses(FanoutFixture node) {
    StringBuilder sb = new StringBuilder();
    for (String r : new String[] {"rate-limit", "outbound-cap", "too-big", "pong-timeout", "slow-client", "binary",
        "protocol-error"}) {
      sb.append(r).append('=').append(closes(node, r)).append(' ');
    }
    return sb + "connections=" + node.meter(FanoutMetrics.CONNECTIONS);
  }

  /**
   * Sends {@code burst} without reading until the node counts a close for {@code reason}. The node counts before it
   * closes, so a connection that ends first was closed for something else: that fails at once, with every counter.
   */
  private static void floodUntilClosedFor(FanoutFixture node, String reason, RawWebSocketClient c, byte[] burst) {
    double before = closes(node, reason);
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
        try {
          c.send(burst);
        } catch (IOException ended) {
          if (closes(node, reason) <= before) {
            throw new AssertionError("the connection ended without a " + reason + " close: " + allCloses(node), ended);
          }
        }
        return closes(node, reason) > before;
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no " + reason + " close within 60s: " + allCloses(node), e);
    }
    assertThat(closes(node, reason)).isEqualTo(before + 1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void aPingFloodThatNeverReadsIsClosedAtTheOutboundCapAndTheNodeNeverHoldsMore(String transport) throws Exception {
    FanoutFixture node = FLOOD.get(transport);
    // A client with a 4 KiB receive buffer that sends pings and reads nothing: the pongs pile up in the node.
    try (RawWebSocketClient c = new RawWebSocketClient(node.port(), "/ws")) {
      floodUntilClosedFor(node, "outbound-cap", c, repeat(ping(), 64));
      assertThat(node.meter(FanoutMetrics.OUTBOUND_PEAK)).as("most bytes one connection held")
          .isPositive().isLessThanOrEqualTo(MAX_OUTBOUND_BYTES);
      // Reading now: the pongs that fitted, then the close frame.
      try {
        while (c.next() != null) {
          // no text is expected before the close
        }
        assertThat(c.closeStatus).isEqualTo(1008);
      } catch (SocketException reset) {
        // also an end: the close frame waited past the stuck-close deadline
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void repliesThatAreNeverReadAreClosedAtTheOutboundCap(String transport) throws Exception {
    FanoutFixture node = FLOOD.get(transport);
    try (RawWebSocketClient c = new RawWebSocketClient(node.port(), "/ws/bnbusdt@bookTicker")) {
      floodUntilClosedFor(node, "outbound-cap", c,
          repeat(text(true, 1, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":1}"), 64));
      assertThat(node.meter(FanoutMetrics.OUTBOUND_PEAK)).isLessThanOrEqualTo(MAX_OUTBOUND_BYTES);
    }
  }

  /**
   * SockJS: a client whose xhr-streaming response is never read (a plain socket with a 4 KiB receive buffer) and
   * which keeps asking for replies over xhr_send. SockJS's own write queue does not see what its transport holds;
   * the node's count does, and closes the session at the cap.
   */
  @org.junit.jupiter.api.Test
  void sockJsRepliesThatAreNeverReadAreClosedAtTheOutboundCap() throws Exception {
    FanoutFixture node = FLOOD.get("channel");
    double before = closes(node, "outbound-cap");
    String session = "/sockjs/000/flood" + System.nanoTime() + "/";
    io.vertx.core.http.HttpClient http = node.vertx.createHttpClient();
    try (java.net.Socket stream = new java.net.Socket()) {
      stream.setReceiveBufferSize(4096);
      stream.connect(new java.net.InetSocketAddress("127.0.0.1", node.port()), 10_000);
      stream.getOutputStream().write(("POST " + session + "xhr_streaming HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Length: 0\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      stream.getOutputStream().flush();
      io.vertx.core.json.JsonArray requests = new io.vertx.core.json.JsonArray();
      for (int i = 0; i < 500; i++) {
        requests.add("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + i + "}");
      }
      io.vertx.core.buffer.Buffer body = io.vertx.core.buffer.Buffer.buffer(requests.encode());
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
        // 204 while the session lives (404 before it opened and after it closed): either way, ask again.
        FanoutFixture.await(http.request(io.vertx.core.http.HttpMethod.POST, node.port(), "127.0.0.1",
            session + "xhr_send").compose(req -> req.send(body)).compose(io.vertx.core.http.HttpClientResponse::body));
        return closes(node, "outbound-cap") > before;
      });
      assertThat(node.meter(FanoutMetrics.OUTBOUND_PEAK)).isLessThanOrEqualTo(MAX_OUTBOUND_BYTES);
    } finally {
      http.close();
    }
  }

  /** SockJS's websocket transport is a WebSocket too: its pings count toward the rate and are answered within the cap. */
  @org.junit.jupiter.api.Test
  void sockJsWebSocketPingsCountTowardTheRateAndAFloodIsClosedAtTheCap() throws Exception {
    FanoutFixture binance = BINANCE.get("channel");
    double before = closes(binance, "rate-limit");
    try (WireWebSocketClient c = open(binance, "/sockjs/000/rate" + System.nanoTime() + "/websocket")) {
      assertThat(c.read().text()).isEqualTo("o"); // SockJS's open frame
      c.write(repeat(ping(), 20));
      await().atMost(Duration.ofSeconds(30)).until(() -> closes(binance, "rate-limit") > before);
    }
    assertThat(closes(binance, "rate-limit")).isEqualTo(before + 1);
    FanoutFixture flood = FLOOD.get("channel");
    try (RawWebSocketClient c = new RawWebSocketClient(flood.port(), "/sockjs/000/flood" + System.nanoTime() + "/websocket")) {
      floodUntilClosedFor(flood, "outbound-cap", c, repeat(ping(), 64));
      assertThat(flood.meter(FanoutMetrics.OUTBOUND_PEAK)).isLessThanOrEqualTo(MAX_OUTBOUND_BYTES);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void morePingsThanFivePerSecondCloseWith1008AsOnBinance(String transport) throws Exception {
    FanoutFixture node = BINANCE.get(transport);
    double before = closes(node, "rate-limit");
    try (WireWebSocketClient c = open(node, "/ws")) {
      c.write(repeat(ping(), 20)); // one write: the node reads them within the same second
      assertThat(closeStatus(c)).isEqualTo(1008);
    }
    assertThat(closes(node, "rate-limit")).isEqualTo(before + 1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void fivePingsInASecondAreAnsweredAndTheConnectionStays(String transport) throws Exception {
    FanoutFixture node = BINANCE.get(transport);
    try (WireWebSocketClient c = open(node, "/ws")) {
      c.write(repeat(ping(), 5));
      for (int i = 0; i < 5; i++) {
        WireWebSocketClient.WireFrame pong = c.readSkippingPings();
        assertThat(pong.opcode()).isEqualTo(10);
        assertThat(pong.payload()).containsExactly(1, 2, 3, 4);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void everyFragmentCountsTowardTheMessageRate(String transport) throws Exception {
    FanoutFixture node = BINANCE.get(transport);
    double before = closes(node, "rate-limit");
    try (WireWebSocketClient c = open(node, "/ws")) {
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      message.writeBytes(text(false, 1, "{\"method\":"));
      for (int i = 0; i < 18; i++) {
        message.writeBytes(text(false, 0, " "));
      }
      message.writeBytes(text(true, 0, "\"LIST_SUBSCRIPTIONS\",\"id\":1}"));
      c.write(message.toByteArray()); // one message in 20 frames
      assertThat(closeStatus(c)).isEqualTo(1008);
    }
    assertThat(closes(node, "rate-limit")).isEqualTo(before + 1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void unsolicitedPongsDoNotKeepAClientThatNeverReadsAlive(String transport) throws Exception {
    FanoutFixture node = LIVENESS.get(transport);
    double before = closes(node, "pong-timeout");
    try (RawWebSocketClient c = new RawWebSocketClient(node.port(), "/ws")) {
      // Pongs with made-up payloads, 20 per second, well within the rate limit; never a read.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
        byte[] payload = new byte[8];
        ThreadLocalRandom.current().nextBytes(payload);
        sendUnlessReset(c, frame(true, 10, payload, true));
        return closes(node, "pong-timeout") > before;
      });
      while (c.next() != null) {
        // the pings it never answered, then the close frame
      }
      assertThat(c.closeStatus).isEqualTo(1008);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void aClientThatEchoesEveryPingStaysConnectedAcrossManyPongTimeouts(String transport) throws Exception {
    FanoutFixture node = LIVENESS.get(transport);
    try (WireWebSocketClient c = open(node, "/ws")) {
      byte[] previous = null;
      // 20 pings at 100 ms: five times the 400 ms pong timeout.
      for (int pings = 0; pings < 20; ) {
        WireWebSocketClient.WireFrame f = c.read();
        assertThat(f.opcode()).as("a ping, not a close").isEqualTo(9);
        assertThat(f.payload()).as("a fresh payload per ping").hasSize(8).isNotEqualTo(previous);
        previous = f.payload();
        c.write(frame(true, 10, f.payload(), true));
        pings++;
      }
    }
  }

  /**
   * Found by WireFuzzTest (seed 26461425841506, vertx transport): a client's close code above 4999 was echoed, a close
   * frame no client may accept. Both transports answer it as a protocol error.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void aCloseWithACodeNoOneDefinesIsAnsweredAsAProtocolError(String transport) throws Exception {
    FanoutFixture node = BINANCE.get(transport);
    for (int code : new int[] {5000, 65535}) {
      try (WireWebSocketClient c = open(node, "/ws")) {
        c.write(WireWebSocketClient.close(code));
        assertThat(closeStatus(c)).as("client code %d", code).isEqualTo(1002);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void a300KbFrameIsAnsweredWithACloseFrame1009AndCounted(String transport) throws Exception {
    FanoutFixture node = BINANCE.get(transport);
    // Over the limit (64 KiB), and over what Vert.x's decoder reads (4x): both ends of the scale.
    for (int size : new int[] {100 * 1024, 300 * 1024}) {
      double before = closes(node, "too-big");
      try (WireWebSocketClient c = open(node, "/ws")) {
        c.write(text(true, 1, "x".repeat(size)));
        assertThat(closeStatus(c)).as("%d bytes", size).isEqualTo(1009);
      }
      assertThat(closes(node, "too-big")).isEqualTo(before + 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"channel", "vertx"})
  void aFragmentedMessageOverTheLimitIsClosedWith1009AndCounted(String transport) throws Exception {
    FanoutFixture node = BINANCE.get(transport);
    double before = closes(node, "too-big");
    try (WireWebSocketClient c = open(node, "/ws")) {
      // Each fragment within the limit, the second one over it, all nine over what Vert.x's own aggregation holds
      // (4x the limit), past which the vertx transport used to drop the rest of the message silently.
      String part = "y".repeat(40 * 1024);
      c.write(text(false, 1, part));
      for (int i = 0; i < 7; i++) {
        c.write(text(false, 0, part));
      }
      c.write(text(true, 0, part));
      assertThat(closeStatus(c)).isEqualTo(1009);
    }
    assertThat(closes(node, "too-big")).isEqualTo(before + 1);
    // The node keeps serving.
    try (WireWebSocketClient c = open(node, "/ws/bnbusdt@bookTicker")) {
      assertThat(new JsonObject(c.readSkippingPings().text()).getString("s")).isEqualTo("BNBUSDT");
    }
  }
}
