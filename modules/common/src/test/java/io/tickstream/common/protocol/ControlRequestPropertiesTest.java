package io.tickstream.common.protocol;

import io.tickstream.common.protocol.ControlRequest.Method;
import io.tickstream.common.stream.StreamName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Properties of {@link ControlRequest}, the parser every client's control message goes through: whatever the text,
 * it parses or throws {@link ControlException} with one of Binance's codes and a reply that is valid JSON; nothing
 * else escapes, and nothing takes long. Valid requests round-trip; ids follow Binance's rule.
 *
 * <p>Run with another seed or more tries: see {@code docs/security/testing.md}.
 */
class ControlRequestPropertiesTest {

  /** Far more than parsing a 64 KiB message takes; a hang or a quadratic blow-up would exceed it. */
  private static final Duration BOUND = Duration.ofSeconds(5);

  /** The outcome of parsing {@code text}: a request or the exception; anything else fails the property. */
  private static Object outcome(String text) {
    return assertTimeoutPreemptively(BOUND, () -> {
      try {
        ControlRequest r = ControlRequest.parse(text);
        assertWellFormed(r);
        return r;
      } catch (ControlException e) {
        assertWellFormed(e);
        return e;
      }
    });
  }

  private static void assertWellFormed(ControlRequest r) {
    assertThat(r.method()).isNotNull();
    assertThat(r.params()).isNotNull();
    assertThat(ControlRequest.validId(r.id())).isTrue();
    // The checks a server runs next either pass or refuse with a ControlException, never anything else.
    try {
      switch (r.method()) {
        case SUBSCRIBE, UNSUBSCRIBE -> assertThat(r.streamNames()).hasSameSizeAs(r.params());
        case LIST_SUBSCRIPTIONS -> r.checkNoParams();
        case GET_PROPERTY -> r.checkGetProperty();
        case SET_PROPERTY -> r.setPropertyValue();
      }
      assertThat(new JsonObject(r.reply(null)).getValue("id")).isEqualTo(r.id());
    } catch (ControlException e) {
      assertWellFormed(e);
      assertThat(e.id()).isEqualTo(r.id());
    }
  }

  private static void assertWellFormed(ControlException e) {
    assertThat(e.code()).isBetween(0, 3);
    JsonObject reply = new JsonObject(e.reply());
    assertThat(reply.getJsonObject("error").getInteger("code")).isEqualTo(e.code());
    assertThat(reply.getJsonObject("error").getString("msg")).isEqualTo(e.getMessage());
    assertThat(ControlRequest.validId(e.id())).isTrue();
    if (e.code() == ControlReplies.INVALID_JSON) {
      assertThat(e.id()).isNull();
    }
  }

  @Property
  void anyStringParsesOrIsRefusedWithBinancesError(@ForAll @StringLength(max = 300) String text) {
    outcome(text);
  }

  @Property
  void anyJsonValueParsesOrIsRefusedWithBinancesError(@ForAll("jsonValues") String json) {
    outcome(json);
  }

  @Property
  void anyObjectWithRequestFieldsOfAnyTypeParsesOrIsRefused(@ForAll("requestShapedObjects") String json) {
    outcome(json);
  }

  @Property
  void aValidRequestWithBytesCutOffOrChangedParsesOrIsRefused(@ForAll("validRequests") JsonObject request,
      @ForAll @IntRange(max = 10_000) int cut, @ForAll char replacement) {
    String text = request.encode();
    int at = cut % (text.length() + 1);
    outcome(text.substring(0, at));
    if (at < text.length()) {
      outcome(text.substring(0, at) + replacement + text.substring(at + 1));
    }
  }

  @Property(tries = 50)
  void nestingAsDeepAsAMessageAllowsIsRefusedNotAStackOverflow(@ForAll @IntRange(min = 1, max = 40_000) int depth,
      @ForAll boolean objects) {
    String open = objects ? "{\"a\":" : "[";
    String close = objects ? "}" : "]";
    String text = "{\"method\":\"SUBSCRIBE\",\"params\":[" + open.repeat(depth) + "1" + close.repeat(depth) + "],\"id\":1}";
    Object result = outcome(text);
    if (depth > 1000) {
      // Jackson's default nesting limit (1000) refuses it as invalid JSON before the recursion goes deep.
      assertThat(result).isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.code()).isEqualTo(3));
    }
  }

  @Property
  void validRequestsRoundTrip(@ForAll("validRequests") JsonObject request) throws ControlException {
    ControlRequest r = ControlRequest.parse(request.encode());
    assertThat(r.method().name()).isEqualTo(request.getString("method"));
    assertThat(r.id()).isEqualTo(request.getValue("id"));
    JsonArray params = request.getJsonArray("params");
    assertThat(new JsonArray(r.params()).encode()).isEqualTo(params == null ? "[]" : params.encode());
  }

  @Property
  void subscribeParamsBecomeTheirCanonicalStreamNames(@ForAll("streamNameLists") List<String> names,
      @ForAll("validIds") Object id) throws Exception {
    JsonObject request = new JsonObject().put("method", "SUBSCRIBE").put("params", new JsonArray(new ArrayList<>(names)))
        .put("id", id);
    List<StreamName> parsed = ControlRequest.parse(request.encode()).streamNames();
    List<String> expected = new ArrayList<>();
    for (String n : names) {
      expected.add(StreamName.parse(n).toString());
    }
    assertThat(parsed).extracting(StreamName::toString).containsExactlyElementsOf(expected);
  }

  @Property
  void aValidIdIsEchoedAsGiven(@ForAll("validIds") Object id) throws ControlException {
    String text = new JsonObject().put("method", "LIST_SUBSCRIPTIONS").put("id", id).encode();
    ControlRequest r = ControlRequest.parse(text);
    assertThat(r.id()).isEqualTo(id);
    assertThat(new JsonObject(r.reply(new JsonArray())).getValue("id")).isEqualTo(id);
  }

  @Property
  void anInvalidIdIsRefusedWithCode2AndANullId(@ForAll("invalidIds") String idJson, @ForAll Method method) {
    String text = "{\"method\":\"" + method + "\",\"params\":[],\"id\":" + idJson + "}";
    assertThat(outcome(text)).isInstanceOfSatisfying(ControlException.class, e -> {
      assertThat(e.code()).isEqualTo(2);
      assertThat(e.id()).isNull();
      assertThat(e.getMessage()).isEqualTo("Invalid request: request ID must be an unsigned integer");
    });
  }

  @Property(tries = 300)
  void parameterCountsOutsideEachMethodsLimitAreRefusedWithCode2(@ForAll @IntRange(min = 2, max = 50) int count,
      @ForAll("validIds") Object id) {
    JsonArray params = new JsonArray();
    for (int i = 0; i < count; i++) {
      params.add(i == 0 ? ControlRequest.COMBINED : Boolean.TRUE);
    }
    assertRefused(request("GET_PROPERTY", params, id), 2, id);
    assertRefused(request("LIST_SUBSCRIPTIONS", params, id), 2, id);
    if (count > 2) {
      assertRefused(request("SET_PROPERTY", params, id), 2, id);
    }
  }

  private static ControlRequest request(String method, JsonArray params, Object id) {
    try {
      return ControlRequest.parse(new JsonObject().put("method", method).put("params", params).put("id", id).encode());
    } catch (ControlException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertRefused(ControlRequest r, int code, Object id) {
    ControlException e = org.assertj.core.api.Assertions.catchThrowableOfType(ControlException.class, () -> {
      switch (r.method()) {
        case GET_PROPERTY -> r.checkGetProperty();
        case SET_PROPERTY -> r.setPropertyValue();
        default -> r.checkNoParams();
      }
    });
    assertThat(e).as("refusal of %s %s", r.method(), r.params()).isNotNull();
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.id()).isEqualTo(id);
  }

  // ---- generators ----

  @Provide
  Arbitrary<Object> validIds() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(l -> l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) (int) (long) l : l),
        Arbitraries.strings().alpha().numeric().ofMaxLength(36).map(s -> (Object) s),
        Arbitraries.just(null));
  }

  @Provide
  Arbitrary<String> invalidIds() {
    return Arbitraries.oneOf(
        Arbitraries.strings().alpha().numeric().ofMinLength(37).ofMaxLength(80).map(s -> "\"" + s + "\""),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(20).filter(s -> !s.matches("[A-Za-z0-9]*"))
            .map(ControlRequestPropertiesTest::encodeValue),
        Arbitraries.doubles().filter(Double::isFinite).map(d -> Double.toString(d)),
        Arbitraries.bigIntegers().between(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE), BigInteger.TEN.pow(60))
            .flatMap(b -> Arbitraries.of(b.toString(), b.negate().subtract(BigInteger.ONE).toString())),
        Arbitraries.of("true", "false", "{}", "[]", "[1]", "{\"id\":1}"));
  }

  @Provide
  Arbitrary<List<String>> streamNameLists() {
    Arbitrary<String> symbol = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').numeric()
        .ofMinLength(1).ofMaxLength(20);
    Arbitrary<String> suffix = Arbitraries.of("@bookTicker", "@BOOKTICKER", "@bookticker@100ms", "@bookTicker@1000MS");
    return Combinators.combine(symbol, suffix).as(String::concat).list().ofMaxSize(10);
  }

  @Provide
  Arbitrary<JsonObject> validRequests() {
    Arbitrary<JsonArray> params = jsonScalars().list().ofMaxSize(6).map(JsonArray::new);
    return Combinators.combine(Arbitraries.of(Method.class), params.injectNull(0.2), validIds()).as((m, p, id) -> {
      JsonObject o = new JsonObject().put("method", m.name());
      if (p != null) {
        o.put("params", p);
      }
      return o.put("id", id);
    });
  }

  /** Objects whose keys are mostly the request's own, with values of every JSON type, repeated keys included. */
  @Provide
  Arbitrary<String> requestShapedObjects() {
    Arbitrary<String> key = Arbitraries.of("method", "params", "id", "METHOD", "x", "");
    Arbitrary<String> value = Arbitraries.oneOf(jsonValues(), Arbitraries.of(Method.class).map(m -> "\"" + m + "\""),
        validIds().map(ControlRequestPropertiesTest::encodeValue));
    return Combinators.combine(key, value).as((k, v) -> encodeValue(k) + ":" + v).list().ofMaxSize(5)
        .map(entries -> "{" + String.join(",", entries) + "}");
  }

  /** Any JSON text: scalars, and arrays and objects of them nested up to four levels. */
  @Provide
  Arbitrary<String> jsonValues() {
    return json(4);
  }

  private static Arbitrary<String> json(int depth) {
    Arbitrary<String> scalar = jsonScalars().map(ControlRequestPropertiesTest::encodeValue);
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> inner = json(depth - 1);
    return Arbitraries.oneOf(scalar,
        inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"),
        Combinators.combine(Arbitraries.strings().ofMaxLength(8), inner).as((k, v) -> encodeValue(k) + ":" + v)
            .list().ofMaxSize(4).map(l -> "{" + String.join(",", l) + "}"));
  }

  private static Arbitrary<Object> jsonScalars() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.of(Boolean.TRUE, Boolean.FALSE),
        Arbitraries.just(null));
  }

  private static String encodeValue(Object v) {
    String wrapped = new JsonArray().add(v).encode();
    return wrapped.substring(1, wrapped.length() - 1);
  }
}
