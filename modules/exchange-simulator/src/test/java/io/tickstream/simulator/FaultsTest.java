package io.tickstream.simulator;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.vertx.core.http.UpgradeRejectedException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

class FaultsTest extends SimulatorTestSupport {

  @Test
  void droppedConnectionsEndWithoutACloseFrame() throws Exception {
    ExchangeSimulator sim = start(config());
    RawWebSocket raw = RawWebSocket.connect(vertx, sim.host(), sim.port(), "/ws/btcusdt@bookTicker");
    await().atMost(WAIT).alias("opcodes " + raw.opcodes).until(() -> raw.opcodes.contains(0x1));
    assertThat(post(sim, "/sim/faults/drop-connections").getInteger("connections")).isEqualTo(1);
    await().atMost(WAIT).until(() -> raw.tcpClosed);
    assertThat(raw.opcodes).as("no close frame (opcode 8) before the TCP close").doesNotContain(0x8);
  }

  @Test
  void stalledConnectionsStaySilentAndOpenUntilResumed() throws Exception {
    ExchangeSimulator sim = start(config().with(SimulatorSettings.TICK_RATE, 3000L));
    Client c = connect(sim, "/ws/btcusdt@bookTicker");
    c.next();
    assertThat(sim.faults().stallConnections().await()).isEqualTo(1);
    long generated = sim.status().await().getLong("ticksGenerated");
    await().atMost(WAIT).until(() -> sim.status().await().getLong("ticksGenerated") > generated + 600);
    List<BookTicker> before = drain(c);
    post(sim, "/sim/faults/resume");
    BookTicker after = BookTickerDecoder.decode(c.next().getBytes(StandardCharsets.UTF_8));
    assertThat(c.closed).isFalse();
    long lastBefore = before.get(before.size() - 1).updateId();
    assertThat(after.updateId()).as("ticks generated while stalled were not sent").isGreaterThan(lastBefore + 1);
  }

  private static List<BookTicker> drain(Client c) throws Exception {
    List<BookTicker> out = new ArrayList<>();
    String m;
    while ((m = c.messages.poll()) != null) {
      out.add(BookTickerDecoder.decode(m.getBytes(StandardCharsets.UTF_8)));
    }
    if (out.isEmpty()) {
      out.add(BookTickerDecoder.decode(c.next().getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void malformedFramesAreInterleavedIntoLiveStreams() throws Exception {
    ExchangeSimulator sim = start(config().with(SimulatorSettings.TICK_RATE, 2000L));
    Client raw = connect(sim, "/ws/btcusdt@bookTicker");
    Client combined = connect(sim, "/stream?streams=btcusdt@bookTicker");
    raw.next();
    combined.next();
    sim.faults().sendMalformedFrames(2, SimulatorFaults.MalformedFrame.GARBAGE).await();
    post(sim, "/sim/faults/malformed?count=2&kind=truncated-json");
    post(sim, "/sim/faults/malformed?count=2&kind=wrong-type");
    for (Client c : List.of(raw, combined)) {
      int bad = 0;
      int good = 0;
      while (bad < 6) {
        String m = c.next();
        try {
          byte[] bytes = m.getBytes(StandardCharsets.UTF_8);
          if (m.startsWith("{\"stream\"")) {
            BookTickerDecoder.decode(new io.vertx.core.json.JsonObject(m).getJsonObject("data").encode().getBytes(StandardCharsets.UTF_8));
          } else {
            BookTickerDecoder.decode(bytes);
          }
          good++;
        } catch (Exception e) {
          bad++;
        }
      }
      assertThat(good).as("malformed frames come between ticks").isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void refusedConnectionsAreAnswered503UntilTheFaultIsCleared() throws Exception {
    ExchangeSimulator sim = start(config());
    post(sim, "/sim/faults/refuse-connections?enabled=true");
    UpgradeRejectedException e = catchThrowableOfType(UpgradeRejectedException.class, () -> connect(sim, "/ws"));
    assertThat(e.getStatus()).isEqualTo(503);
    sim.faults().refuseConnections(false).await();
    assertThat(connect(sim, "/ws").ws.isClosed()).isFalse();
  }

  @Test
  void refusingConnectionsCanBeConfiguredAtStartUp() throws Exception {
    ExchangeSimulator sim = start(config().with(SimulatorSettings.REFUSE_CONNECTIONS, true));
    UpgradeRejectedException e = catchThrowableOfType(UpgradeRejectedException.class, () -> connect(sim, "/ws"));
    assertThat(e.getStatus()).isEqualTo(503);
  }

  @Test
  void shorteningTheLifetimeClosesOpenConnections() throws Exception {
    ExchangeSimulator sim = start(config());
    Client c = connect(sim, "/ws/btcusdt@bookTicker");
    c.next();
    assertThat(post(sim, "/sim/faults/max-lifetime?duration=200ms").getLong("maxLifetimeMillis")).isEqualTo(200);
    await().atMost(WAIT).until(() -> c.closed);
    assertThat(c.closeStatus).isEqualTo((short) 1001);
    sim.faults().maxLifetime(Duration.ofHours(24)).await(10, TimeUnit.SECONDS);
    Client later = connect(sim, "/ws/btcusdt@bookTicker");
    later.next();
    assertThat(later.closed).isFalse();
  }
}
