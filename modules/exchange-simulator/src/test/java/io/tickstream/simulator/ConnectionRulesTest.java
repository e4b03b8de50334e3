package io.tickstream.simulator;

import io.tickstream.common.config.Config;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

class ConnectionRulesTest extends SimulatorTestSupport {

  static Config fastPings() {
    return config().with(SimulatorSettings.PING_INTERVAL, Duration.ofMillis(100))
        .with(SimulatorSettings.PONG_TIMEOUT, Duration.ofMillis(400))
        .with(SimulatorSettings.MAX_MESSAGES_PER_SECOND, 1000);
  }

  @Test
  void theSixthMessageWithinASecondClosesTheConnectionWith1008() throws Exception {
    ExchangeSimulator sim = start(config());
    Client c = connect(sim, "/ws");
    for (int i = 1; i <= 6; i++) {
      c.send("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + i + "}");
    }
    for (int i = 1; i <= 5; i++) {
      assertThat(new JsonObject(c.next()).getInteger("id")).isEqualTo(i);
    }
    await().atMost(WAIT).until(() -> c.closed);
    assertThat(c.closeStatus).isEqualTo((short) 1008);
    assertThat(c.messages).isEmpty();
  }

  @Test
  void pingFramesCountAsMessages() throws Exception {
    ExchangeSimulator sim = start(config());
    Client c = connect(sim, "/ws");
    for (int i = 0; i < 6; i++) {
      c.ping();
    }
    await().atMost(WAIT).until(() -> c.closed);
    assertThat(c.closeStatus).isEqualTo((short) 1008);
  }

  @Test
  void aClientThatAnswersPingsStaysConnected() throws Exception {
    ExchangeSimulator sim = start(fastPings());
    Client c = connect(sim, "/ws");
    AtomicInteger pings = new AtomicInteger();
    c.ws.frameHandler(f -> {
      if (f.type() == WebSocketFrameType.PING) {
        pings.incrementAndGet();
      }
    });
    // Eight pings span twice the pong timeout: the Vert.x client's automatic pongs keep it alive.
    await().atMost(WAIT).until(() -> pings.get() >= 8);
    assertThat(c.closed).isFalse();
  }

  @Test
  void aClientThatNeverAnswersPingsIsClosed() throws Exception {
    ExchangeSimulator sim = start(fastPings());
    RawWebSocket raw = RawWebSocket.connect(vertx, sim.host(), sim.port(), "/ws");
    await().atMost(WAIT).until(() -> raw.closeCode != null);
    assertThat(raw.pings()).isGreaterThanOrEqualTo(1);
    assertThat(raw.closeCode).isEqualTo(1008);
  }

  @Test
  void unsolicitedPongsDoNotKeepAConnectionAlive() throws Exception {
    ExchangeSimulator sim = start(fastPings());
    RawWebSocket raw = RawWebSocket.connect(vertx, sim.host(), sim.port(), "/ws");
    long timer = vertx.setPeriodic(50, id -> raw.pong("unsolicited"));
    await().atMost(WAIT).until(() -> raw.closeCode != null);
    vertx.cancelTimer(timer);
    assertThat(raw.closeCode).isEqualTo(1008);
  }

  @Test
  void aConnectionIsClosedAtItsMaximumLifetime() throws Exception {
    ExchangeSimulator sim = start(config().with(SimulatorSettings.MAX_LIFETIME, Duration.ofMillis(300)));
    Client c = connect(sim, "/ws/btcusdt@bookTicker");
    c.next();
    await().atMost(WAIT).until(() -> c.closed);
    assertThat(c.closeStatus).isEqualTo((short) 1001);
  }

  @Test
  void connectionAttemptsBeyondTheLimitAreAnswered429WithRetryAfter() throws Exception {
    ExchangeSimulator sim = start(config().with(SimulatorSettings.MAX_CONNECT_ATTEMPTS, 3));
    for (int i = 0; i < 3; i++) {
      connect(sim, "/ws");
    }
    UpgradeRejectedException e = catchThrowableOfType(UpgradeRejectedException.class, () -> connect(sim, "/ws"));
    assertThat(e.getStatus()).isEqualTo(429);
    assertThat(Long.parseLong(e.getHeaders().get("Retry-After"))).isBetween(1L, 300L);
  }

  @Test
  void serverShutdownIsSentRawAndCombinedThenConnectionsClose() throws Exception {
    ExchangeSimulator sim = start(config());
    Client raw = connect(sim, "/ws");
    Client combined = connect(sim, "/stream?streams=btcusdt@bookTicker");
    Client micros = connect(sim, "/ws?timeUnit=MICROSECOND");
    assertThat(post(sim, "/sim/server-shutdown?closeAfter=200ms").getInteger("connections")).isEqualTo(3);
    JsonObject event = new JsonObject(raw.next());
    assertThat(event.fieldNames()).containsExactly("e", "E");
    assertThat(event.getString("e")).isEqualTo("serverShutdown");
    JsonObject wrapped = new JsonObject(combined.nextMatching(m -> m.contains("serverShutdown")));
    assertThat(wrapped.getString("stream")).isEqualTo("!serverShutdown");
    assertThat(wrapped.getJsonObject("data").getString("e")).isEqualTo("serverShutdown");
    long millis = event.getLong("E");
    assertThat(new JsonObject(micros.next()).getLong("E") / 1000).isBetween(millis - 1000, millis + 1000);
    await().atMost(WAIT).until(() -> raw.closed && combined.closed && micros.closed);
  }

  @Test
  void serverShutdownFromTheJavaApiCanLeaveConnectionsOpen() throws Exception {
    ExchangeSimulator sim = start(config());
    Client raw = connect(sim, "/ws");
    assertThat(sim.serverShutdown(null).await()).isEqualTo(1);
    assertThat(raw.next()).startsWith("{\"e\":\"serverShutdown\",\"E\":");
    assertThat(raw.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":1}").getJsonArray("result")).isEmpty();
  }
}
