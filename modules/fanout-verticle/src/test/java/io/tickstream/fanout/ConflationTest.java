package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The delivery promise of section 4: conflation for slow clients, 1013 for stalled ones, throttled streams. */
@ExtendWith(KafkaBrokerExtension.class)
class ConflationTest {

  /**
   * A small socket buffer so a client that stops reading falls behind after a few hundred ticks; the write
   * queue is what lets a client that keeps up absorb a burst of one produce batch (200 ticks, ~40 KiB).
   */
  private static JsonObject smallBuffers(String grace, int writeQueueBytes) {
    return new JsonObject().put("fanout.send-buffer-bytes", 4096).put("fanout.write-queue-bytes", writeQueueBytes)
        .put("fanout.slow-client-grace", grace);
  }

  private static FanoutFixture patient;
  private static FanoutFixture strict;

  @BeforeAll
  static void start() {
    patient = FanoutFixture.create("conflation", smallBuffers("10m", 128 * 1024));
    for (String s : new String[]{"SLOWAUSDT", "SLOWBUSDT", "THRUSDT"}) {
      patient.produce(s, 1);
    }
    patient.deploy();
    strict = FanoutFixture.create("stalled", smallBuffers("500ms", 2048));
    strict.produce("STALLUSDT", 1);
    strict.produce("CUTUSDT", 1);
    strict.deploy();
  }

  @AfterAll
  static void stop() {
    patient.close();
    strict.close();
  }

  @Test
  void aClientThatStopsReadingGetsOnlyTheNewestTickPerSymbolWhileOthersKeepFlowing() throws Exception {
    try (RawWebSocketClient slow = new RawWebSocketClient(patient.port(),
        "/stream?streams=slowausdt@bookTicker/slowbusdt@bookTicker")) {
      TestClient fast = patient.connect("/ws/slowausdt@bookTicker");
      assertThat(fast.next().getLong("u")).isEqualTo(1);
      AtomicLong u = new AtomicLong(1);
      double dropsBefore = patient.meter(FanoutMetrics.CONFLATED_DROPS);
      // Produce until the slow client's ticks are being conflated.
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        long from = u.get() + 1;
        long to = u.addAndGet(200);
        patient.produceAll("SLOWAUSDT", from, to);
        patient.produceAll("SLOWBUSDT", from, to);
        return patient.meter(FanoutMetrics.CONFLATED_DROPS) > dropsBefore;
      });
      long last = u.get();
      // Memory for the stalled client is bounded by its two subscriptions.
      assertThat(patient.meter(FanoutMetrics.PENDING)).isLessThanOrEqualTo(2);
      // Meanwhile the client that keeps up received every tick, in order.
      for (long expected = 2; expected <= last; expected++) {
        assertThat(fast.next().getLong("u")).isEqualTo(expected);
      }
      // The slow client reads again: u only increases per symbol, and it ends on the newest tick.
      Map<String, Long> lastU = new HashMap<>(Map.of("SLOWAUSDT", 0L, "SLOWBUSDT", 0L));
      int received = 0;
      while (lastU.get("SLOWAUSDT") < last || lastU.get("SLOWBUSDT") < last) {
        JsonObject data = new JsonObject(slow.next()).getJsonObject("data");
        String symbol = data.getString("s");
        assertThat(data.getLong("u")).as("u of %s", symbol).isGreaterThan(lastU.get(symbol));
        lastU.put(symbol, data.getLong("u"));
        received++;
      }
      assertThat(received).isLessThan((int) (2 * last));
      fast.close();
    }
  }

  @Test
  void aClientThatNeverRecoversIsClosedWith1013() throws Exception {
    try (RawWebSocketClient stalled = new RawWebSocketClient(strict.port(), "/ws/stallusdt@bookTicker")) {
      AtomicLong u = new AtomicLong(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        long from = u.get() + 1;
        strict.produceAll("STALLUSDT", from, u.addAndGet(200));
        return strict.meter(FanoutMetrics.SLOW_CLIENT_CLOSES) >= 1;
      });
      while (stalled.next() != null) {
        // read what was queued before the close frame
      }
      assertThat(stalled.closeStatus).isEqualTo(1013);
      assertThat(strict.meter(FanoutMetrics.PENDING)).isZero();
    }
  }

  /**
   * A client that never reads again cannot take the 1013 close frame either: it waits in the node's queue behind the
   * ticks. Vert.x starts its closing timeout only once that frame is written, so without a bound of the node's own
   * the TCP connection (descriptor, queue, kernel send buffer) lived for ever. The node resets it instead, which the
   * client, still not reading, sees as a failed write.
   */
  @Test
  void aClosedClientThatNeverReadsTheCloseFrameIsResetWithinTheCloseFrameWait() throws Exception {
    try (RawWebSocketClient stalled = new RawWebSocketClient(strict.port(), "/ws/cutusdt@bookTicker")) {
      double closesBefore = strict.meter(FanoutMetrics.SLOW_CLIENT_CLOSES);
      AtomicLong u = new AtomicLong(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        long from = u.get() + 1;
        strict.produceAll("CUTUSDT", from, u.addAndGet(200));
        return strict.meter(FanoutMetrics.SLOW_CLIENT_CLOSES) > closesBefore;
      });
      long closedAt = System.nanoTime();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
        try {
          stalled.ping();
          return false;
        } catch (IOException reset) {
          return true;
        }
      });
      assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).as("reset after the close frame's wait")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(9));
    }
  }

  @Test
  void aThrottledStreamSendsAtMostOneUpdatePerIntervalAndEndsOnTheNewestTick() {
    List<Long> arrivals = new ArrayList<>();
    TestClient c = patient.connect("/ws/thrusdt@bookTicker@250ms");
    assertThat(c.next().getLong("u")).isEqualTo(1);
    long first = System.nanoTime();
    patient.produceAll("THRUSDT", 2, 400);
    patient.produceAll("THRUSDT", 401, 800);
    long u;
    do {
      u = c.next().getLong("u");
      arrivals.add(System.nanoTime());
    } while (u < 800);
    long spanMillis = (arrivals.get(arrivals.size() - 1) - first) / 1_000_000;
    // An upper bound only: a slower machine can only make it easier to meet.
    assertThat((long) arrivals.size()).isLessThanOrEqualTo(spanMillis / 250 + 1);
    c.close();
  }
}
