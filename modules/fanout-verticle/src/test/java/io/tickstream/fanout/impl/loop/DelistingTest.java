package io.tickstream.fanout.impl.loop;

import io.tickstream.fanout.FanoutFixture;
import io.tickstream.fanout.FanoutMetrics;
import io.tickstream.fanout.TestClient;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10: a Kafka tombstone (key = symbol, null value), which the ingest writes when the exchange stops listing a
 * symbol as TRADING, drops the symbol from the snapshot: new subscriptions get Binance's unknown-symbol error,
 * current subscribers get nothing more, a late copy does not bring it back, a higher {@code u} does.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DelistingTest {

  private static final String UNKNOWN_ETH = "{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown symbol ETHUSDT\"},\"id\":1}";

  @Test
  void tombstoneDropsTheSymbolLiveAndAHigherUListsItAgain() {
    try (FanoutFixture node = FanoutFixture.create("delist-live", new JsonObject())) {
      node.produce("ETHUSDT", 10);
      node.produce("BTCUSDT", 10);
      node.deploy();
      TestClient subscriber = node.connect("/ws/ethusdt@bookTicker");
      assertThat(subscriber.next().getLong("u")).isEqualTo(10);

      TestClient late = node.connect("/stream?streams=btcusdt@bookTicker");
      assertThat(late.next().getJsonObject("data").getLong("u")).isEqualTo(10);
      tombstone(node, "ETHUSDT");
      await().atMost(Duration.ofSeconds(10)).until(() -> !knownOnAnyLoop(node, "ETHUSDT"));
      assertThat(node.meter(FanoutMetrics.TOMBSTONES)).isEqualTo(1);

      // New subscriptions: unknown, by SUBSCRIBE and by URL, as for a symbol never seen.
      assertThat(late.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@bookTicker\"],\"id\":1}").encode())
          .isEqualTo(UNKNOWN_ETH);
      FanoutFixture.HttpResult refused = node.get("/ws/ethusdt@bookTicker", true);
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.body()).contains("unknown symbol ETHUSDT");
      // !bookTicker's snapshot leaves it out.
      TestClient all = node.connect("/ws/!bookTicker");
      assertThat(all.next().getString("s")).isEqualTo("BTCUSDT");
      node.produce("BTCUSDT", 11);
      assertThat(all.next().getLong("u")).as("nothing of ETHUSDT came before the next BTCUSDT tick").isEqualTo(11);
      assertThat(late.next().getJsonObject("data").getLong("u")).isEqualTo(11);

      // A late copy (a second ingest node that has not refreshed yet) is stale: it does not bring the symbol back.
      node.produce("ETHUSDT", 10);
      await().atMost(Duration.ofSeconds(10)).until(() -> node.meter(FanoutMetrics.STALE_DROPS) == 1);
      assertThat(late.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@bookTicker\"],\"id\":1}").encode())
          .isEqualTo(UNKNOWN_ETH);

      // Listed again: a higher u flows to the subscriber that stayed, with nothing in between, and is known again.
      node.produce("ETHUSDT", 11);
      assertThat(subscriber.next().getLong("u")).isEqualTo(11);
      assertThat(subscriber.pendingMessages()).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> knownOnEveryLoop(node, "ETHUSDT"));
      assertThat(late.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@bookTicker\"],\"id\":2}").encode())
          .isEqualTo("{\"result\":null,\"id\":2}");
      assertThat(late.next().getJsonObject("data").getLong("u")).as("the snapshot on subscribe").isEqualTo(11);
      assertThat(node.meter(FanoutMetrics.MALFORMED)).isZero();
      subscriber.close();
      late.close();
      all.close();
    }
  }

  @Test
  void tombstoneInTheTopicKeepsTheSymbolOutOfTheRebuiltSnapshot() {
    try (FanoutFixture node = FanoutFixture.create("delist-rebuild", new JsonObject())) {
      node.produce("ETHUSDT", 10);
      node.produce("BTCUSDT", 10);
      tombstone(node, "ETHUSDT");
      node.produce("ETHUSDT", 9); // an older copy after the tombstone: stale, not a re-listing
      tombstone(node, "GONEUSDT"); // a tombstone of a symbol never seen: counted, nothing else
      node.deploy();

      TestClient c = node.connect("/ws");
      assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@bookTicker\"],\"id\":1}").encode())
          .isEqualTo(UNKNOWN_ETH);
      assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\"],\"id\":2}").encode())
          .isEqualTo("{\"result\":null,\"id\":2}");
      assertThat(c.next().getLong("u")).isEqualTo(10);
      assertThat(node.meter(FanoutMetrics.TOMBSTONES)).isEqualTo(2);
      assertThat(node.meter(FanoutMetrics.STALE_DROPS)).isEqualTo(1);
      assertThat(node.meter(FanoutMetrics.MALFORMED)).isZero();
      c.close();
    }
  }

  /** Asks each event loop on its own thread whether it knows {@code symbol}. */
  private static boolean knownOnAnyLoop(FanoutFixture node, String symbol) {
    return node.node().dispatchers().stream().anyMatch(d -> knows(d, symbol));
  }

  private static boolean knownOnEveryLoop(FanoutFixture node, String symbol) {
    return node.node().dispatchers().stream().allMatch(d -> knows(d, symbol));
  }

  private static boolean knows(LoopDispatcher d, String symbol) {
    CompletableFuture<Boolean> known = new CompletableFuture<>();
    d.context.runOnContext(v -> known.complete(d.isKnown(symbol)));
    return known.join();
  }

  private static void tombstone(FanoutFixture node, String symbol) {
    try {
      node.producer.send(new ProducerRecord<>(node.topic, symbol, null)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
