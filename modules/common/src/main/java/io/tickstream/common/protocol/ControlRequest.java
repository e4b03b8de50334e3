package io.tickstream.common.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.tickstream.common.stream.InvalidStreamNameException;
import io.tickstream.common.stream.StreamName;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One of Binance's live control requests, {@code {"method":"SUBSCRIBE","params":[..],"id":1}}, parsed and
 * with its envelope checked, plus the checks of each method's parameters. Every refusal is a
 * {@link ControlException} carrying Binance's code, message and the id to echo, so the exchange simulator
 * and the fanout node answer the same input with the same bytes.
 *
 * <p>Checks run in this order: JSON syntax (code 3, id null), a JSON object (2, id null), the request id
 * (2, id null), {@code method} present and known (2), {@code params} an array if present (2); then, when
 * the server asks for them, the method's parameters (2, 0, 1). What a server serves (which symbols, how many
 * streams, throttled variants) is for the server to check.
 *
 * <p><b>Threading:</b> immutable; the parser is stateless and thread-safe, so any thread may call it. It
 * builds maps and lists per request, which is fine because it is not on the tick path: clients' requests
 * are rate-limited per connection.
 *
 * @param method the method
 * @param params the parameters, unmodifiable, empty if absent; values are maps, lists, strings,
 *               {@link Integer}/{@link Long}/{@link java.math.BigInteger}, {@link Double}, booleans or null
 * @param id     the id to echo: an {@link Integer}, {@link Long}, {@link String} or null
 */
public record ControlRequest(Method method, List<Object> params, Object id) {

  /** The control methods, spelled as on the wire. */
  public enum Method {
    SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY
  }

  /** The only connection property Binance has. */
  public static final String COMBINED = "combined";

  static final String METHODS = "`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`";
  private static final Pattern STRING_ID = Pattern.compile("[A-Za-z0-9]{0,36}");
  private static final JsonFactory JSON = new JsonFactory();

  public ControlRequest {
    params = Collections.unmodifiableList(new ArrayList<>(params));
  }

  /** Parses {@code text} into a request, or throws with the error Binance would send. */
  public static ControlRequest parse(String text) throws ControlException {
    Object root;
    try {
      root = readValue(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ControlException(ControlReplies.INVALID_JSON, invalidJson(at == null ? 1 : at.getLineNr(),
          at == null ? text.length() : at.getColumnNr()), null);
    } catch (IOException e) {
      throw new ControlException(ControlReplies.INVALID_JSON, invalidJson(1, text.length()), null);
    }
    if (!(root instanceof Map<?, ?> request)) {
      throw ControlReplies.invalidRequest("expected a JSON object", null);
    }
    Object id = request.get("id");
    if (!validId(id)) {
      throw ControlReplies.invalidRequest("request ID must be an unsigned integer", null);
    }
    if (!request.containsKey("method")) {
      throw ControlReplies.invalidRequest("missing field `method`", id);
    }
    Object name = request.get("method");
    Method method = name instanceof String s ? method(s) : null;
    if (method == null) {
      throw ControlReplies.invalidRequest("unknown variant `" + name + "`, expected one of " + METHODS, id);
    }
    Object params = request.get("params");
    if (params != null && !(params instanceof List<?>)) {
      throw ControlReplies.invalidRequest("params must be an array", id);
    }
    return new ControlRequest(method, params == null ? List.of() : castList(params), id);
  }

  /**
   * Whether Binance accepts {@code id}: a 64-bit signed integer, an alphanumeric string of at most 36
   * characters, or null.
   */
  public static boolean validId(Object id) {
    return id == null || id instanceof Integer || id instanceof Long
        || (id instanceof String s && STRING_ID.matcher(s).matches());
  }

  /** The parameters of {@code SUBSCRIBE} or {@code UNSUBSCRIBE}, parsed; code 2 if one is not a stream name. */
  public List<StreamName> streamNames() throws ControlException {
    List<StreamName> streams = new ArrayList<>(params.size());
    for (Object p : params) {
      if (!(p instanceof String text)) {
        throw ControlReplies.invalidRequest("stream name must be a string", id);
      }
      try {
        streams.add(StreamName.parse(text));
      } catch (InvalidStreamNameException e) {
        throw ControlReplies.invalidRequest(e.getMessage(), id);
      }
    }
    return streams;
  }

  /** Checks {@code LIST_SUBSCRIPTIONS}: no parameters (code 2). */
  public void checkNoParams() throws ControlException {
    if (!params.isEmpty()) {
      throw ControlReplies.invalidRequest("too many parameters", id);
    }
  }

  /** Checks {@code GET_PROPERTY ["combined"]}: too many parameters or no name (2), another name (0). */
  public void checkGetProperty() throws ControlException {
    checkProperty(1);
  }

  /**
   * Checks {@code SET_PROPERTY ["combined", bool]} and returns the value: too many parameters or no name (2),
   * another name (0), a missing or non-boolean value (1).
   */
  public boolean setPropertyValue() throws ControlException {
    checkProperty(2);
    if (params.size() < 2 || !(params.get(1) instanceof Boolean value)) {
      throw new ControlException(ControlReplies.INVALID_VALUE_TYPE, "Invalid value type: expected Boolean", id);
    }
    return value;
  }

  /** The success reply to this request. */
  public String reply(Object result) {
    return ControlReplies.result(result, id);
  }

  private void checkProperty(int maxParams) throws ControlException {
    if (params.size() > maxParams) {
      throw ControlReplies.invalidRequest("too many parameters", id);
    }
    if (params.isEmpty() || !(params.get(0) instanceof String name)) {
      throw ControlReplies.invalidRequest("property name must be a string", id);
    }
    if (!name.equals(COMBINED)) {
      throw new ControlException(ControlReplies.UNKNOWN_PROPERTY, "Unknown property", id);
    }
  }

  private static String invalidJson(int line, int column) {
    return "Invalid JSON: expected value at line " + line + " column " + column;
  }

  private static Method method(String name) {
    return switch (name) {
      case "SUBSCRIBE" -> Method.SUBSCRIBE;
      case "UNSUBSCRIBE" -> Method.UNSUBSCRIBE;
      case "LIST_SUBSCRIPTIONS" -> Method.LIST_SUBSCRIPTIONS;
      case "SET_PROPERTY" -> Method.SET_PROPERTY;
      case "GET_PROPERTY" -> Method.GET_PROPERTY;
      default -> null;
    };
  }

  @SuppressWarnings("unchecked")
  private static List<Object> castList(Object list) {
    return (List<Object>) list;
  }

  /** Reads one JSON value into maps, lists, strings, numbers, booleans and nulls; nothing may follow it. */
  private static Object readValue(String text) throws IOException {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() == null) {
        throw new JsonParseException(p, "no value", p.currentLocation());
      }
      Object value = read(p);
      if (p.nextToken() != null) {
        throw new JsonParseException(p, "trailing characters", p.currentTokenLocation());
      }
      return value;
    }
  }

  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    return switch (t) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() != JsonToken.END_OBJECT) {
          String key = p.currentName();
          p.nextToken();
          map.put(key, read(p));
        }
        yield map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(read(p));
        }
        yield list;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new JsonParseException(p, "unexpected " + t, p.currentTokenLocation());
    };
  }
}
