package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Binance's live control messages, their replies and every error code, plus the limits on bad input. */
@ExtendWith(KafkaBrokerExtension.class)
class ControlProtocolTest {

  private static FanoutFixture node;

  @BeforeAll
  static void start() {
    node = FanoutFixture.create("control", new JsonObject()
        .put("fanout.max-messages-per-second", 50).put("fanout.max-frame-bytes", 8192));
    node.produce("BNBUSDT", 1);
    node.produce("BTCUSDT", 1);
    node.deploy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String request(TestClient c, String json) {
    return c.request(json).encode();
  }

  @Test
  void subscribeUnsubscribeAndListSubscriptionsAnswerAsBinanceDoes() {
    TestClient c = node.connect("/ws");
    assertThat(request(c, "{\"method\":\"SUBSCRIBE\",\"params\":[\"BNBUSDT@bookTicker\",\"btcusdt@bookTicker@100ms\"],\"id\":1}"))
        .isEqualTo("{\"result\":null,\"id\":1}");
    c.next();
    c.next(); // the two snapshots
    assertThat(request(c, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":\"abc3\"}"))
        .isEqualTo("{\"result\":[\"bnbusdt@bookTicker\",\"btcusdt@bookTicker@100ms\"],\"id\":\"abc3\"}");
    assertThat(request(c, "{\"method\":\"UNSUBSCRIBE\",\"params\":[\"bnbusdt@bookTicker\"],\"id\":312}"))
        .isEqualTo("{\"result\":null,\"id\":312}");
    assertThat(request(c, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":null}"))
        .isEqualTo("{\"result\":[\"btcusdt@bookTicker@100ms\"],\"id\":null}");
    c.close();
  }

  @Test
  void setAndGetPropertyCombinedSwitchesTheMessageFormat() {
    TestClient c = node.connect("/ws");
    assertThat(request(c, "{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":2}"))
        .isEqualTo("{\"result\":false,\"id\":2}");
    assertThat(request(c, "{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true],\"id\":5}"))
        .isEqualTo("{\"result\":null,\"id\":5}");
    assertThat(request(c, "{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":-9223372036854775808}"))
        .isEqualTo("{\"result\":true,\"id\":-9223372036854775808}");
    request(c, "{\"method\":\"SUBSCRIBE\",\"params\":[\"bnbusdt@bookTicker\"],\"id\":6}");
    assertThat(c.next().getString("stream")).isEqualTo("bnbusdt@bookTicker");
    c.close();
  }

  @Test
  void everyBinanceErrorCodeIsReturnedForItsCase() {
    TestClient c = node.connect("/ws");
    assertThat(request(c, "{\"method\":\"SET_PROPERTY\",\"params\":[\"compressed\",true],\"id\":1}"))
        .isEqualTo("{\"error\":{\"code\":0,\"msg\":\"Unknown property\"},\"id\":1}");
    assertThat(request(c, "{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",\"yes\"],\"id\":2}"))
        .isEqualTo("{\"error\":{\"code\":1,\"msg\":\"Invalid value type: expected Boolean\"},\"id\":2}");
    assertThat(request(c, "{\"method\":\"GET_PROPERTY\",\"params\":[42],\"id\":3}"))
        .isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Invalid request: property name must be a string\"},\"id\":3}");
    assertThat(request(c, "{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":1.5}"))
        .isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Invalid request: request ID must be an unsigned integer\"},\"id\":null}");
    assertThat(request(c, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":\"this-id-has-dashes\"}"))
        .isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Invalid request: request ID must be an unsigned integer\"},\"id\":null}");
    assertThat(request(c, "{\"method\":\"PING\",\"id\":4}"))
        .isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown variant `PING`, expected one of "
            + "`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`\"},\"id\":4}");
    assertThat(request(c, "{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\",true],\"id\":5}"))
        .isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Invalid request: too many parameters\"},\"id\":5}");
    assertThat(request(c, "{\"params\":[],\"id\":6}"))
        .isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Invalid request: missing field `method`\"},\"id\":6}");
    assertThat(request(c, "{\"method\":\"SUBSCRIBE\",\"params\":[\"nosuchcoin@bookTicker\"],\"id\":7}"))
        .isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Invalid request: unknown symbol NOSUCHCOIN\"},\"id\":7}");
    assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@depth\"],\"id\":8}")
        .getJsonObject("error").getInteger("code")).isEqualTo(2);
    assertThat(request(c, "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\"],\"id\":"))
        .isEqualTo("{\"error\":{\"code\":3,\"msg\":\"Invalid JSON: expected value at line 1 column 60\"},\"id\":null}");
    assertThat(c.request("not json").getJsonObject("error").getInteger("code")).isEqualTo(3);
    assertThat(request(c, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":9}")).isEqualTo("{\"result\":[],\"id\":9}");
    assertThat(c.isClosed()).isFalse();
    c.close();
  }

  @Test
  void subscribingBeyondTheStreamLimitIsRefusedAndChangesNothing() {
    TestClient c = node.connect("/ws");
    StringBuilder params = new StringBuilder("\"!bookTicker\"");
    for (String interval : new String[]{"", "@100ms", "@250ms", "@500ms", "@1000ms"}) {
      params.append(",\"bnbusdt@bookTicker").append(interval).append("\",\"btcusdt@bookTicker").append(interval).append('"');
    }
    // 11 streams: within the default 1024; the 1025-stream case is in LimitsTest with the default limit.
    assertThat(request(c, "{\"method\":\"SUBSCRIBE\",\"params\":[" + params + "],\"id\":1}"))
        .isEqualTo("{\"result\":null,\"id\":1}");
    c.close();
  }

  @Test
  void binaryMessagesCloseTheConnectionWith1003() {
    TestClient c = node.connect("/ws");
    c.sendBinary(Buffer.buffer(new byte[]{1, 2, 3}));
    await().atMost(Duration.ofSeconds(10)).until(() -> c.closeStatus != null);
    assertThat(c.closeStatus).isEqualTo((short) 1003);
  }

  @Test
  void anOversizedFrameClosesTheConnectionWith1009AndTheNodeKeepsServing() {
    TestClient c = node.connect("/ws");
    c.ws.writeTextMessage("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":\"" + "a".repeat(20_000) + "\"}");
    await().atMost(Duration.ofSeconds(10)).until(() -> c.closeStatus != null);
    assertThat(c.closeStatus).isEqualTo((short) 1009);
    TestClient other = node.connect("/ws/bnbusdt@bookTicker");
    assertThat(other.next().getString("s")).isEqualTo("BNBUSDT");
    other.close();
  }
}
