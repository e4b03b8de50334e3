package io.tickstream.simulator;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ControlMessagesTest extends SimulatorTestSupport {

  ExchangeSimulator sim;
  Client c;

  @BeforeEach
  void connectBare() throws Exception {
    // Many requests per test: lift the 5 messages/s rule here (LimitsTest covers it).
    sim = start(config().with(SimulatorSettings.MAX_MESSAGES_PER_SECOND, 10_000));
    c = connect(sim, "/ws");
  }

  static JsonObject error(int code, String msg, Object id) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("msg", msg)).put("id", id);
  }

  @Test
  void subscribeRepliesNullAndStartsRawTicks() throws Exception {
    assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"BTCUSDT@bookTicker\"],\"id\":1}"))
        .isEqualTo(new JsonObject().put("result", null).put("id", 1));
    assertThat(c.next()).startsWith("{\"u\":").contains("\"s\":\"BTCUSDT\"");
  }

  @Test
  void listSubscriptionsReportsCanonicalLowerCaseNames() throws Exception {
    c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"BTCUSDT@BOOKTICKER\",\"ethusdt@bookticker\"],\"id\":1}");
    assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}")).isEqualTo(new JsonObject()
        .put("result", new JsonArray().add("btcusdt@bookTicker").add("ethusdt@bookTicker")).put("id", 3));
  }

  @Test
  void unsubscribeRemovesTheStream() throws Exception {
    c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\",\"ethusdt@bookTicker\"],\"id\":1}");
    assertThat(c.request("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\"],\"id\":312}"))
        .isEqualTo(new JsonObject().put("result", null).put("id", 312));
    assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":4}").getJsonArray("result"))
        .containsExactly("ethusdt@bookTicker");
  }

  @Test
  void setPropertyCombinedSwitchesFramingAndGetPropertyReportsIt() throws Exception {
    assertThat(c.request("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":2}"))
        .isEqualTo(new JsonObject().put("result", false).put("id", 2));
    assertThat(c.request("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true],\"id\":5}"))
        .isEqualTo(new JsonObject().put("result", null).put("id", 5));
    assertThat(c.request("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":2}"))
        .isEqualTo(new JsonObject().put("result", true).put("id", 2));
    c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"bnbusdt@bookTicker\"],\"id\":6}");
    assertThat(c.next()).startsWith("{\"stream\":\"bnbusdt@bookTicker\",\"data\":{\"u\":");
  }

  @Test
  void requestIdsAreEchoedAsGiven() throws Exception {
    String list = "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":%s}";
    assertThat(c.request(list.formatted("\"abc123XYZ\"")).getValue("id")).isEqualTo("abc123XYZ");
    assertThat(c.request(list.formatted("null")).containsKey("id")).isTrue();
    assertThat(c.request(list.formatted("null")).getValue("id")).isNull();
    assertThat(c.request(list.formatted("-9223372036854775808")).getValue("id")).isEqualTo(Long.MIN_VALUE);
    assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\"}").getValue("id")).isNull();
  }

  @Test
  void code0UnknownProperty() throws Exception {
    assertThat(c.request("{\"method\":\"SET_PROPERTY\",\"params\":[\"compressed\",true],\"id\":7}"))
        .isEqualTo(error(0, "Unknown property", 7));
    assertThat(c.request("{\"method\":\"GET_PROPERTY\",\"params\":[\"compressed\"],\"id\":8}"))
        .isEqualTo(error(0, "Unknown property", 8));
  }

  @Test
  void code1InvalidValueType() throws Exception {
    assertThat(c.request("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",\"yes\"],\"id\":9}"))
        .isEqualTo(error(1, "Invalid value type: expected Boolean", 9));
  }

  @Test
  void code2PropertyNameMustBeAString() throws Exception {
    assertThat(c.request("{\"method\":\"GET_PROPERTY\",\"params\":[5],\"id\":10}"))
        .isEqualTo(error(2, "Invalid request: property name must be a string", 10));
    assertThat(c.request("{\"method\":\"SET_PROPERTY\",\"params\":[true,true],\"id\":11}"))
        .isEqualTo(error(2, "Invalid request: property name must be a string", 11));
  }

  @Test
  void code2RequestIdMustBeAnUnsignedIntegerOrShortAlphanumericString() throws Exception {
    JsonObject expected = error(2, "Invalid request: request ID must be an unsigned integer", null);
    for (String id : List.of("1.5", "true", "\"with space\"", "\"" + "a".repeat(37) + "\"", "[1]",
        "9223372036854775808")) {
      assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + id + "}")).as(id).isEqualTo(expected);
    }
  }

  @Test
  void code2UnknownMethodVariant() throws Exception {
    assertThat(c.request("{\"method\":\"SUBSCRIBEX\",\"params\":[],\"id\":12}")).isEqualTo(error(2,
        "Invalid request: unknown variant `SUBSCRIBEX`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, "
            + "`SET_PROPERTY`, `GET_PROPERTY`", 12));
  }

  @Test
  void code2TooManyParameters() throws Exception {
    assertThat(c.request("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\",true],\"id\":13}"))
        .isEqualTo(error(2, "Invalid request: too many parameters", 13));
    assertThat(c.request("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true,1],\"id\":14}"))
        .isEqualTo(error(2, "Invalid request: too many parameters", 14));
    assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"params\":[1],\"id\":15}"))
        .isEqualTo(error(2, "Invalid request: too many parameters", 15));
  }

  @Test
  void code2MissingFieldMethod() throws Exception {
    assertThat(c.request("{\"params\":[],\"id\":16}")).isEqualTo(error(2, "Invalid request: missing field `method`", 16));
  }

  @Test
  void code3InvalidJsonWithLineAndColumn() throws Exception {
    JsonObject reply = c.request("{\"method\":\"SUBSCRIBE\",\n\"params\":[,]}");
    assertThat(reply.getJsonObject("error").getInteger("code")).isEqualTo(3);
    assertThat(reply.getJsonObject("error").getString("msg")).isEqualTo("Invalid JSON: expected value at line 2 column 11");
    assertThat(reply.getValue("id")).isNull();
    assertThat(c.request("not json").getJsonObject("error").getString("msg"))
        .matches("Invalid JSON: expected value at line 1 column \\d+");
  }

  @Test
  void invalidAndThrottledStreamNamesAreRefusedWithCode2() throws Exception {
    for (String stream : List.of("btcusdt@trade", "btc-usdt@bookTicker", "btcusdt@bookTicker@100ms", "!bookTicker")) {
      JsonObject reply = c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"" + stream + "\"],\"id\":17}");
      assertThat(reply.getJsonObject("error").getInteger("code")).as(stream).isEqualTo(2);
      assertThat(reply.getJsonObject("error").getString("msg")).as(stream).startsWith("Invalid request: ");
      assertThat(reply.getInteger("id")).isEqualTo(17);
    }
    assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":18}").getJsonArray("result")).isEmpty();
  }

  static List<String> streams(int n) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add("sym" + i + "usdt@bookTicker");
    }
    return names;
  }

  @Test
  void aSubscribeBeyond1024StreamsIsRefusedAndKeepsExistingSubscriptions() throws Exception {
    c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\"],\"id\":1}");
    List<String> more = streams(1024);
    JsonObject reply = c.request(new JsonObject().put("method", "SUBSCRIBE").put("params", new JsonArray(more)).put("id", 2).encode());
    assertThat(reply).isEqualTo(error(2, "Invalid request: too many streams", 2));
    assertThat(c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}").getJsonArray("result"))
        .containsExactly("btcusdt@bookTicker");
    reply = c.request(new JsonObject().put("method", "SUBSCRIBE").put("params", new JsonArray(more.subList(0, 1023))).put("id", 4).encode());
    assertThat(reply).isEqualTo(new JsonObject().put("result", null).put("id", 4));
  }

  @Test
  void aUrlWith1025StreamsIsRefusedWith400() throws Exception {
    String uri = "/stream?streams=" + String.join("/", streams(1025));
    UpgradeRejectedException e = catchThrowableOfType(UpgradeRejectedException.class, () -> connect(sim, uri));
    assertThat(e.getStatus()).isEqualTo(400);
    assertThat(e.getBody().toJsonObject().getString("msg")).contains("Too many streams");
    Client ok = connect(sim, "/stream?streams=" + String.join("/", streams(1024)));
    assertThat(ok.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":1}").getJsonArray("result")).hasSize(1024);
  }
}
