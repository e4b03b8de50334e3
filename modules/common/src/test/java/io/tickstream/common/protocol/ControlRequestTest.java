package io.tickstream.common.protocol;

import io.tickstream.common.protocol.ControlRequest.Method;
import io.tickstream.common.stream.StreamName;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Binance's control protocol without a server: every error code and text, and which ids are valid. */
class ControlRequestTest {

  private static final String BAD_ID = "{\"error\":{\"code\":2,\"msg\":\"Invalid request: request ID must be an unsigned integer\"},\"id\":null}";

  /** The reply Binance would send for {@code text}, running the check {@code method} implies. */
  private static String answer(String text) {
    try {
      ControlRequest r = ControlRequest.parse(text);
      return switch (r.method()) {
        case SUBSCRIBE, UNSUBSCRIBE -> r.reply(new JsonArray(r.streamNames().stream().map(StreamName::toString).toList()));
        case LIST_SUBSCRIPTIONS -> {
          r.checkNoParams();
          yield r.reply(new JsonArray());
        }
        case SET_PROPERTY -> r.reply(r.setPropertyValue());
        case GET_PROPERTY -> {
          r.checkGetProperty();
          yield r.reply(false);
        }
      };
    } catch (ControlException e) {
      return e.reply();
    }
  }

  private static String error(int code, String msg, String id) {
    return "{\"error\":{\"code\":" + code + ",\"msg\":\"" + msg + "\"},\"id\":" + id + "}";
  }

  private static String list(String id) {
    return "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + id + "}";
  }

  @Test
  void parsesMethodParamsAndId() throws ControlException {
    ControlRequest r = ControlRequest.parse("{\"method\":\"SUBSCRIBE\",\"params\":[\"BTCUSDT@bookTicker\"],\"id\":1}");
    assertThat(r.method()).isEqualTo(Method.SUBSCRIBE);
    assertThat(r.params()).containsExactly("BTCUSDT@bookTicker");
    assertThat(r.id()).isEqualTo(1);
    assertThat(r.streamNames()).extracting(StreamName::toString).containsExactly("btcusdt@bookTicker");
    assertThat(ControlRequest.parse("{\"method\":\"LIST_SUBSCRIPTIONS\"}").params()).isEmpty();
    assertThat(ControlRequest.parse("{\"method\":\"LIST_SUBSCRIPTIONS\"}").id()).isNull();
  }

  @Test
  void everyMethodIsKnownByItsWireName() throws ControlException {
    for (Method m : Method.values()) {
      assertThat(ControlRequest.parse("{\"method\":\"" + m.name() + "\"}").method()).isEqualTo(m);
    }
  }

  @Test
  void repliesEchoTheIdAsGiven() {
    assertThat(answer(list("312"))).isEqualTo("{\"result\":[],\"id\":312}");
    assertThat(answer(list("\"abc123XYZ\""))).isEqualTo("{\"result\":[],\"id\":\"abc123XYZ\"}");
    assertThat(answer(list("null"))).isEqualTo("{\"result\":[],\"id\":null}");
    assertThat(answer("{\"method\":\"LIST_SUBSCRIPTIONS\"}")).isEqualTo("{\"result\":[],\"id\":null}");
    assertThat(answer("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true],\"id\":5}"))
        .isEqualTo("{\"result\":true,\"id\":5}");
    assertThat(ControlReplies.result(null, 5)).isEqualTo("{\"result\":null,\"id\":5}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1", "-1", "9223372036854775807", "-9223372036854775808", "\"\"", "\"a\"",
      "\"abc123XYZ\"", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "null"})
  void validIdsAre64BitIntegersAlphanumericStringsOfAtMost36CharsAndNull(String id) {
    assertThat(answer(list(id))).isEqualTo("{\"result\":[],\"id\":" + id + "}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"9223372036854775808", "-9223372036854775809", "1.5", "1.0", "1e3", "true", "false",
      "{}", "{\"a\":1}", "[1]", "[]", "\"with space\"", "\"this-id-has-dashes\"", "\"\\u00e9\"",
      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""})
  void otherIdsAreRefusedWithCode2AndANullId(String id) {
    assertThat(answer(list(id))).as(id).isEqualTo(BAD_ID);
  }

  @Test
  void validIdIsTheSameRuleOnValues() {
    assertThat(ControlRequest.validId(null)).isTrue();
    assertThat(ControlRequest.validId(Long.MIN_VALUE)).isTrue();
    assertThat(ControlRequest.validId(-1)).isTrue();
    assertThat(ControlRequest.validId("a".repeat(36))).isTrue();
    assertThat(ControlRequest.validId("a".repeat(37))).isFalse();
    assertThat(ControlRequest.validId(1.5)).isFalse();
    assertThat(ControlRequest.validId(new java.math.BigInteger("9223372036854775808"))).isFalse();
  }

  @Test
  void theIdIsCheckedBeforeTheMethod() {
    assertThat(answer("{\"method\":\"PING\",\"id\":1.5}")).isEqualTo(BAD_ID);
    assertThat(answer("{\"id\":true}")).isEqualTo(BAD_ID);
  }

  @Test
  void code0UnknownProperty() {
    assertThat(answer("{\"method\":\"SET_PROPERTY\",\"params\":[\"compressed\",true],\"id\":7}"))
        .isEqualTo(error(0, "Unknown property", "7"));
    assertThat(answer("{\"method\":\"GET_PROPERTY\",\"params\":[\"compressed\"],\"id\":8}"))
        .isEqualTo(error(0, "Unknown property", "8"));
    assertThat(answer("{\"method\":\"SET_PROPERTY\",\"params\":[\"compressed\",\"yes\"],\"id\":8}"))
        .as("the name is checked before the value").isEqualTo(error(0, "Unknown property", "8"));
  }

  @Test
  void code1InvalidValueType() {
    for (String value : List.of("\"yes\"", "1", "null", "[]")) {
      assertThat(answer("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\"," + value + "],\"id\":9}"))
          .as(value).isEqualTo(error(1, "Invalid value type: expected Boolean", "9"));
    }
    assertThat(answer("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\"],\"id\":9}"))
        .isEqualTo(error(1, "Invalid value type: expected Boolean", "9"));
  }

  @Test
  void code2PropertyNameMustBeAString() {
    String expected = error(2, "Invalid request: property name must be a string", "10");
    assertThat(answer("{\"method\":\"GET_PROPERTY\",\"params\":[5],\"id\":10}")).isEqualTo(expected);
    assertThat(answer("{\"method\":\"GET_PROPERTY\",\"params\":[],\"id\":10}")).isEqualTo(expected);
    assertThat(answer("{\"method\":\"GET_PROPERTY\",\"id\":10}")).isEqualTo(expected);
    assertThat(answer("{\"method\":\"SET_PROPERTY\",\"params\":[true,true],\"id\":10}")).isEqualTo(expected);
    assertThat(answer("{\"method\":\"SET_PROPERTY\",\"params\":[],\"id\":10}")).isEqualTo(expected);
  }

  @Test
  void code2TooManyParameters() {
    assertThat(answer("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\",true],\"id\":13}"))
        .isEqualTo(error(2, "Invalid request: too many parameters", "13"));
    assertThat(answer("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true,1],\"id\":14}"))
        .isEqualTo(error(2, "Invalid request: too many parameters", "14"));
    assertThat(answer("{\"method\":\"LIST_SUBSCRIPTIONS\",\"params\":[1],\"id\":15}"))
        .isEqualTo(error(2, "Invalid request: too many parameters", "15"));
  }

  @Test
  void code2UnknownVariantNamesTheMethodAndTheKnownOnesInBackticks() {
    String known = ", expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`";
    assertThat(answer("{\"method\":\"PING\",\"id\":4}"))
        .isEqualTo(error(2, "Invalid request: unknown variant `PING`" + known, "4"));
    assertThat(answer("{\"method\":\"subscribe\",\"id\":4}"))
        .as("case-sensitive").isEqualTo(error(2, "Invalid request: unknown variant `subscribe`" + known, "4"));
    assertThat(answer("{\"method\":5,\"id\":4}")).isEqualTo(error(2, "Invalid request: unknown variant `5`" + known, "4"));
    assertThat(answer("{\"method\":null,\"id\":4}"))
        .isEqualTo(error(2, "Invalid request: unknown variant `null`" + known, "4"));
  }

  @Test
  void code2MissingFieldMethod() {
    assertThat(answer("{\"params\":[],\"id\":16}")).isEqualTo(error(2, "Invalid request: missing field `method`", "16"));
    assertThat(answer("{}")).isEqualTo(error(2, "Invalid request: missing field `method`", "null"));
  }

  @Test
  void code2EnvelopeShape() {
    assertThat(answer("[1,2]")).isEqualTo(error(2, "Invalid request: expected a JSON object", "null"));
    assertThat(answer("\"SUBSCRIBE\"")).isEqualTo(error(2, "Invalid request: expected a JSON object", "null"));
    assertThat(answer("{\"method\":\"SUBSCRIBE\",\"params\":\"btcusdt@bookTicker\",\"id\":1}"))
        .isEqualTo(error(2, "Invalid request: params must be an array", "1"));
  }

  @Test
  void code2StreamNames() {
    assertThat(answer("{\"method\":\"UNSUBSCRIBE\",\"params\":[1],\"id\":17}"))
        .isEqualTo(error(2, "Invalid request: stream name must be a string", "17"));
    assertThat(answer("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\"],\"id\":17}"))
        .startsWith("{\"error\":{\"code\":2,\"msg\":\"Invalid request: ").endsWith("},\"id\":17}");
    assertThat(answer("{\"method\":\"SUBSCRIBE\",\"params\":[\"!bookTicker\",\"btcusdt@bookTicker@100ms\"],\"id\":1}"))
        .as("what a server serves is its own business").isEqualTo(
            "{\"result\":[\"!bookTicker\",\"btcusdt@bookTicker@100ms\"],\"id\":1}");
  }

  @Test
  void code3InvalidJsonWithLineAndColumn() {
    assertThat(answer("{\"method\":\"SUBSCRIBE\",\n\"params\":[,]}"))
        .isEqualTo(error(3, "Invalid JSON: expected value at line 2 column 11", "null"));
    assertThat(answer("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\"],\"id\":"))
        .isEqualTo(error(3, "Invalid JSON: expected value at line 1 column 60", "null"));
    for (String text : List.of("not json", "", "{\"id\":1} {}", "{\"id\":1", "{'method':'SUBSCRIBE'}")) {
      ControlException e = catchThrowableOfType(ControlException.class, () -> ControlRequest.parse(text));
      assertThat(e.code()).as(text).isEqualTo(ControlReplies.INVALID_JSON);
      assertThat(e.getMessage()).as(text).matches("Invalid JSON: expected value at line 1 column \\d+");
      assertThat(e.id()).isNull();
    }
  }

  @Test
  void errorRepliesAreBinancesShape() {
    assertThat(ControlReplies.error(ControlReplies.INVALID_REQUEST, "Invalid request: x", "ab"))
        .isEqualTo("{\"error\":{\"code\":2,\"msg\":\"Invalid request: x\"},\"id\":\"ab\"}");
    assertThat(new ControlException(ControlReplies.UNKNOWN_PROPERTY, "Unknown property", 3L).reply())
        .isEqualTo("{\"error\":{\"code\":0,\"msg\":\"Unknown property\"},\"id\":3}");
    assertThat(ControlReplies.INVALID_VALUE_TYPE).isEqualTo(1);
  }
}
