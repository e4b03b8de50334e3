package io.tickstream.fanout;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19, points 2 and 3: the slow-client policy as a client sees it. A client that stops reading for 8 s (a phone
 * app in the background) is not closed (the grace is 30 s, counted from the last moment the node could write to it);
 * when it reads again it drains a bounded amount of stale data (the node's queue, the socket's unsent bytes, and its
 * own receive buffer, which the node cannot control) and then gets fresh ticks, the newest per symbol, {@code u} only
 * going up. On a native transport, as the node runs in production.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SlowClientPolicyTest {

  private static final int SYMBOLS = 50;
  /** The client's receive buffer: fixed, so what it holds is known (the kernel doubles it for bookkeeping). */
  private static final int RECEIVE_BUFFER = 64 * 1024;
  /**
   * What the node may leave stale in front of fresh ticks: its queue ({@code fanout.write-queue-bytes}, 64 KiB), the
   * socket's unsent bytes ({@code fanout.tcp-notsent-lowat}, 16 KiB, which the kernel lets one segment of up to 64 KiB
   * pass) and what is in flight into the client's receive buffer (twice its size). Before issue 19 the socket's send
   * buffer alone autotuned to 4 MB: an 8 s stall left about 1.2 MB of ticks older than a second.
   */
  private static final long STALE_BOUND_BYTES = 64 * 1024 + 16 * 1024 + 64 * 1024 + 2L * RECEIVE_BUFFER;

  private static FanoutFixture node;

  @BeforeAll
  static void start() {
    node = FanoutFixture.create("slow-policy", new JsonObject().put("fanout.instances", 1),
        Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)));
    for (int i = 0; i < SYMBOLS; i++) {
      node.produce(new BookTicker(1, symbol(i), "1.00", "1.00", "1.01", "1.00", EpochMicros.now()));
    }
    node.deploy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String symbol(int i) {
    return "POL" + i + "USDT";
  }

  private static String streams() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < SYMBOLS; i++) {
      sb.append(i == 0 ? "" : "/").append(symbol(i).toLowerCase()).append("@bookTicker");
    }
    return sb.toString();
  }

  @Test
  void aClientThatPausesEightSecondsIsNotClosedAndResumesToFreshTicksAfterABoundedDrain() throws Exception {
    assertThat(FanoutSettings.SLOW_CLIENT_GRACE.defaultValue()).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(30));
    BookTickerEncoder encoder = new BookTickerEncoder();
    AtomicLong u = new AtomicLong(1);
    ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor();
    try (WireWebSocketClient client = new WireWebSocketClient(null, node.port(), RECEIVE_BUFFER)) {
      client.write(WireWebSocketClient.upgradeRequest("/stream?streams=" + streams(), ""));
      assertThat(client.readHead()).startsWith("HTTP/1.1 101");
      for (int i = 0; i < SYMBOLS; i++) {
        assertThat(client.readSkippingPings().opcode()).isEqualTo(1);
      }
      // 50 symbols, each every 10 ms: about 5,000 ticks (0.9 MB) a second, more than the buffers hold in one second.
      producer.scheduleAtFixedRate(() -> {
        long next = u.incrementAndGet();
        for (int i = 0; i < SYMBOLS; i++) {
          BookTicker t = new BookTicker(next, symbol(i), "1.00", "1.00", "1.01", "1.00", EpochMicros.now());
          node.producer.send(new ProducerRecord<>(node.topic, t.symbol(), encoder.recordValue(t)));
        }
        node.producer.flush();
      }, 0, 10, TimeUnit.MILLISECONDS);
      // The pause: the client reads nothing for 8 s while ticks keep coming (the scenario, not a synchronisation).
      long resumeAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
      while (System.nanoTime() < resumeAt) {
        assertThat(producer.isShutdown()).isFalse();
        Thread.onSpinWait();
      }
      long staleBytes = 0;
      int staleTicks = 0;
      Map<String, Long> lastU = new HashMap<>();
      JsonObject fresh = null;
      while (fresh == null) {
        WireWebSocketClient.WireFrame f = client.readSkippingPings();
        assertThat(f.opcode()).as("not closed while it was paused: %s", f.text()).isEqualTo(1);
        JsonObject data = new JsonObject(f.text()).getJsonObject("data");
        String s = data.getString("s");
        assertThat(data.getLong("u")).as("u of %s", s).isGreaterThan(lastU.getOrDefault(s, 0L));
        lastU.put(s, data.getLong("u"));
        long ageMicros = EpochMicros.now() - data.getLong("pt");
        if (ageMicros < 500_000) {
          fresh = data;
        } else {
          staleBytes += f.payload().length + 4;
          staleTicks++;
        }
      }
      System.out.printf("After an 8 s pause: %d stale bytes (%d ticks) before the first fresh tick%n", staleBytes, staleTicks);
      assertThat(staleBytes).as("stale bytes (%d ticks) before the first fresh tick", staleTicks)
          .isLessThan(STALE_BOUND_BYTES);
      // From here on the client keeps up: ticks stay fresh and u only goes up, per symbol.
      for (int n = 0; n < 1_000; n++) {
        JsonObject data = new JsonObject(client.readSkippingPings().text()).getJsonObject("data");
        String s = data.getString("s");
        assertThat(data.getLong("u")).as("u of %s", s).isGreaterThan(lastU.getOrDefault(s, 0L));
        lastU.put(s, data.getLong("u"));
      }
      assertThat(node.meter(FanoutMetrics.SLOW_CLIENT_CLOSES)).isZero();
    } finally {
      producer.shutdownNow();
    }
  }
}
