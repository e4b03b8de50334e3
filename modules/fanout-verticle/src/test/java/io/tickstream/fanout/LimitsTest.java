package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Binance's default limits: 1024 streams, 5 messages per second; and the node's connection limit. */
@ExtendWith(KafkaBrokerExtension.class)
class LimitsTest {

  private static FanoutFixture node;
  /** 300 symbols, 100 stream additions per second per connection. */
  private static FanoutFixture budget;

  @BeforeAll
  static void start() {
    budget = FanoutFixture.create("limits-budget", new JsonObject().put("fanout.subscriptions-per-second", 100));
    for (int i = 0; i < 300; i++) {
      budget.producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(budget.topic, "B" + i + "USDT",
          new io.tickstream.common.tick.BookTickerEncoder().recordValue(FanoutFixture.tick("B" + i + "USDT", 1))));
    }
    budget.producer.flush();
    budget.deploy();
    node = FanoutFixture.create("limits", new JsonObject().put("fanout.max-connections", 3));
    for (int i = 0; i < 1030; i++) {
      node.producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(node.topic, "S" + i + "USDT",
          new io.tickstream.common.tick.BookTickerEncoder().recordValue(FanoutFixture.tick("S" + i + "USDT", 1))));
    }
    node.producer.flush();
    node.deploy();
  }

  @AfterAll
  static void stop() {
    node.close();
    budget.close();
  }

  private static String streams(int from, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < from + count; i++) {
      sb.append(sb.isEmpty() ? "" : ",").append("\"s").append(i).append("usdt@bookTicker\"");
    }
    return sb.toString();
  }

  @Test
  void the1025thStreamIsRefusedWithAnErrorAndTheFirst1024Stay() {
    TestClient c = node.connect("/ws");
    assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[" + streams(0, 1025) + "],\"id\":1}").encode())
        .isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Invalid request: too many streams, at most 1024 per connection\"},\"id\":1}");
    c.send("{\"method\":\"SUBSCRIBE\",\"params\":[" + streams(0, 1024) + "],\"id\":2}");
    // The reply, then 1024 snapshots.
    assertThat(c.next().encode()).isEqualTo("{\"result\":null,\"id\":2}");
    for (int i = 0; i < 1024; i++) {
      assertThat(c.next().getLong("u")).isEqualTo(1);
    }
    assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[" + streams(1024, 1) + "],\"id\":3}")
        .getJsonObject("error").getInteger("code")).isEqualTo(2);
    c.close();
  }

  @Test
  void subscribeChurnCannotTurnFiveMessagesASecondIntoThousandsOfSnapshots() {
    TestClient c = budget.connect("/ws");
    c.send("{\"method\":\"SUBSCRIBE\",\"params\":[\"!bookTicker\"],\"id\":1}");
    assertThat(c.next().encode()).isEqualTo("{\"result\":null,\"id\":1}");
    for (int i = 0; i < 300; i++) {
      assertThat(c.next().getString("s")).startsWith("B");
    }
    assertThat(c.request("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"!bookTicker\"],\"id\":2}").encode())
        .isEqualTo("{\"result\":null,\"id\":2}");
    // 300 snapshots against 100 a second: the next subscription, even of one stream, waits about 2 s.
    JsonObject again = c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"!bookTicker\"],\"id\":3}");
    assertThat(again.getJsonObject("error").getInteger("code")).isEqualTo(2);
    assertThat(again.getJsonObject("error").getString("msg")).startsWith("Invalid request: too many subscriptions, "
        + "at most 100 streams added per second (!bookTicker counts every symbol); retry in ");
    assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"b1usdt@bookTicker\"],\"id\":4}")
        .getJsonObject("error").getString("msg")).startsWith("Invalid request: too many subscriptions");
    // Nothing was subscribed, and no snapshot was sent: the next message is the reply to the next request.
    assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":5}").encode())
        .isEqualTo("{\"result\":[],\"id\":5}");
    // The budget is per connection.
    TestClient other = budget.connect("/ws");
    assertThat(other.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"b1usdt@bookTicker\"],\"id\":6}").encode())
        .isEqualTo("{\"result\":null,\"id\":6}");
    other.close();
    // Once it refilled, the connection subscribes again (asking twice a second: within the 5 messages a second).
    await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() ->
        assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"b2usdt@bookTicker\"],\"id\":7}").encode())
            .isEqualTo("{\"result\":null,\"id\":7}"));
    assertThat(c.next().getString("s")).isEqualTo("B2USDT");
    c.close();
  }

  @Test
  void aMessageFloodClosesTheConnectionWith1008AndTheNodeKeepsServing() {
    TestClient c = node.connect("/ws");
    for (int i = 0; i < 50 && !c.isClosed(); i++) {
      c.ws.writeTextMessage("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + i + "}");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> c.closeStatus != null);
    assertThat(c.closeStatus).isEqualTo((short) 1008);
    TestClient other = node.connect("/ws/s1usdt@bookTicker");
    assertThat(other.next().getString("s")).isEqualTo("S1USDT");
    other.close();
  }

  @Test
  void upgradesBeyondTheConnectionLimitAreAnsweredWith503() {
    await().atMost(Duration.ofSeconds(10)).until(() -> node.meter(FanoutMetrics.CONNECTIONS) == 0);
    TestClient a = node.connect("/ws");
    TestClient b = node.connect("/ws");
    TestClient c = node.connect("/ws");
    assertThat(node.get("/ws", true).status()).isEqualTo(503);
    a.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> node.get("/ws/s2usdt@bookTicker", true).status() == 101);
    b.close();
    c.close();
  }
}
