package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.common.tick.MalformedTickException;
import io.tickstream.ingest.IngestMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Delisting in {@link ConflatingKafkaSender}: the tombstone is the symbol's last record, whatever arrives late. */
class ConflatingKafkaSenderTest {

  private static final long MAX_IN_FLIGHT = 1 << 20;

  private Vertx vertx;
  private Context context;
  private MockProducer<String, byte[]> producer;
  private SimpleMeterRegistry registry;
  private AtomicLong inFlight;
  private ConflatingKafkaSender sender;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    registry = new SimpleMeterRegistry();
    inFlight = new AtomicLong();
    sender = new ConflatingKafkaSender(vertx, context, producer, "t", inFlight, MAX_IN_FLIGHT, registry);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void tombstoneIsTheLastRecordAndTicksArrivingAfterItAreDropped() throws Exception {
    onContext(() -> {
      sender.offer(tick("ETHUSDT", 1));
      sender.offer(tick("BTCUSDT", 1));
      sender.delist("ETHUSDT");
      sender.offer(tick("ETHUSDT", 2)); // still on its way before the exchange processed the UNSUBSCRIBE
      sender.offer(tick("BTCUSDT", 2));
      sender.delist("ETHUSDT");        // a second refresh that still misses it writes nothing more
    });

    assertThat(sent()).containsExactly("ETHUSDT:1", "BTCUSDT:1", "ETHUSDT:tombstone", "BTCUSDT:2");
    assertThat(delistedDrops()).isEqualTo(1);
  }

  @Test
  void pendingTickOfADelistedSymbolIsNeverSent() throws Exception {
    inFlight.set(MAX_IN_FLIGHT); // Kafka behind: the tick waits as pending
    onContext(() -> {
      sender.offer(tick("ETHUSDT", 1));
      sender.delist("ETHUSDT");
    });
    inFlight.set(0);
    onContext(() -> sender.offer(tick("BTCUSDT", 1)));

    assertThat(sent()).containsExactly("ETHUSDT:tombstone", "BTCUSDT:1");
    assertThat(sender.pendingCount()).isZero();
  }

  @Test
  void rejectedTickOfADelistedSymbolIsNotRetriedAfterItsTombstone() throws Exception {
    onContext(() -> {
      sender.offer(tick("ETHUSDT", 1));
      sender.delist("ETHUSDT");
    });
    producer.errorNext(new RuntimeException("broker gone")); // the tick
    await().atMost(Duration.ofSeconds(10)).until(() -> delistedDrops() == 1);
    producer.completeNext(); // the tombstone

    assertThat(sent()).containsExactly("ETHUSDT:1", "ETHUSDT:tombstone");
    assertThat(registry.counter(IngestMetrics.TOMBSTONES).count()).isEqualTo(1);
  }

  @Test
  void rejectedTombstoneIsSentAgainUntilKafkaTakesIt() throws Exception {
    onContext(() -> sender.delist("ETHUSDT"));
    producer.errorNext(new RuntimeException("broker gone"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sent().size() == 2);
    producer.completeNext();

    assertThat(sent()).containsExactly("ETHUSDT:tombstone", "ETHUSDT:tombstone");
    assertThat(registry.counter(IngestMetrics.TOMBSTONES).count()).isEqualTo(1);
  }

  @Test
  void relistedSymbolFlowsAgainAboveItsLastU() throws Exception {
    onContext(() -> {
      sender.offer(tick("ETHUSDT", 5));
      sender.delist("ETHUSDT");
      sender.relist("ETHUSDT");
      sender.offer(tick("ETHUSDT", 5)); // a repeat of what was sent before the tombstone
      sender.offer(tick("ETHUSDT", 6));
    });

    assertThat(sent()).containsExactly("ETHUSDT:5", "ETHUSDT:tombstone", "ETHUSDT:6");
  }

  private List<String> sent() {
    return producer.history().stream().map(ConflatingKafkaSenderTest::describe).toList();
  }

  private static String describe(ProducerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return r.key() + ":tombstone";
    }
    try {
      return r.key() + ":" + BookTickerDecoder.decode(r.value()).updateId();
    } catch (MalformedTickException e) {
      throw new AssertionError(e);
    }
  }

  private double delistedDrops() {
    return registry.counter(IngestMetrics.DROPS, "reason", "delisted").count();
  }

  private void onContext(Runnable r) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        r.run();
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    done.get(10, TimeUnit.SECONDS);
  }

  private static BookTicker tick(String symbol, long u) {
    return new BookTicker(u, symbol, "1.00000000", "2.00000000", "1.10000000", "3.00000000", EpochMicros.now());
  }
}
