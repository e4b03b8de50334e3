package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** Server pings (Binance: every 20 s) and the close of a client that never answers them (Binance: after 1 min). */
@ExtendWith(KafkaBrokerExtension.class)
class LivenessTest {

  private static FanoutFixture node;

  @BeforeAll
  static void start() {
    node = FanoutFixture.create("liveness", new JsonObject()
        .put("fanout.ping-interval", "100ms").put("fanout.pong-timeout", "400ms")
        .put("fanout.max-messages-per-second", 50)); // pongs count as messages, as on Binance
    node.produce("PINGUSDT", 1);
    node.deploy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aClientThatNeverAnswersPingsIsClosedWith1008() throws Exception {
    // The raw client reads frames but never sends a pong.
    try (RawWebSocketClient silent = new RawWebSocketClient(node.port(), "/ws/pingusdt@bookTicker")) {
      while (silent.next() != null) {
        // the snapshot, then nothing but pings until the close frame
      }
      assertThat(silent.closeStatus).isEqualTo(1008);
    }
  }

  @Test
  void aClientThatAnswersPingsStaysConnected() {
    // Vert.x's client answers every ping with a pong, as browsers do.
    TestClient c = node.connect("/ws/pingusdt@bookTicker");
    c.next();
    org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(1500)).until(() -> true);
    assertThat(c.isClosed()).isFalse();
    c.close();
  }
}
