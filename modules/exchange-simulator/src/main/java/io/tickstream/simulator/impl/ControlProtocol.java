package io.tickstream.simulator.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.tickstream.common.stream.InvalidStreamNameException;
import io.tickstream.common.stream.StreamName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Binance's live control messages: {@code SUBSCRIBE}, {@code UNSUBSCRIBE}, {@code LIST_SUBSCRIPTIONS},
 * {@code SET_PROPERTY} and {@code GET_PROPERTY}, with Binance's replies and error codes 0 to 3.
 *
 * <p>Checks run in this order: JSON syntax (3), request id (2, reply id null), method present and known (2),
 * then the method's parameters (2, 0, 1). A stream name that does not parse, a throttled {@code @100ms}
 * variant or {@code !bookTicker} (Binance has neither for book tickers) is refused with code 2. A
 * {@code SUBSCRIBE} that would take the connection over its stream limit is refused whole with code 2
 * {@code Invalid request: too many streams}; existing subscriptions stay.
 *
 * <p><b>Threading:</b> confined to the simulator's context.
 */
final class ControlProtocol {

  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern STRING_ID = Pattern.compile("[A-Za-z0-9]{0,36}");
  private static final String METHODS = "SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY";

  private final StreamHub hub;

  ControlProtocol(StreamHub hub) {
    this.hub = hub;
  }

  /** Handles one text message from {@code c} and returns the reply to send. */
  String handle(StreamConnection c, String text) {
    Object root;
    try {
      root = parse(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      return error(3, "Invalid JSON: expected value at line " + (at == null ? 1 : at.getLineNr())
          + " column " + (at == null ? text.length() : at.getColumnNr()), null);
    } catch (IOException e) {
      return error(3, "Invalid JSON: expected value at line 1 column " + text.length(), null);
    }
    if (!(root instanceof Map<?, ?> request)) {
      return error(2, "Invalid request: expected a JSON object", null);
    }
    Object id = request.get("id");
    if (!(id == null || id instanceof Integer || id instanceof Long
        || (id instanceof String s && STRING_ID.matcher(s).matches()))) {
      return error(2, "Invalid request: request ID must be an unsigned integer", null);
    }
    if (!request.containsKey("method")) {
      return error(2, "Invalid request: missing field method", id);
    }
    Object method = request.get("method");
    Object params = request.get("params");
    List<?> args = params instanceof List<?> l ? l : params == null ? List.of() : null;
    if (args == null) {
      return error(2, "Invalid request: params must be an array", id);
    }
    if (!(method instanceof String name)) {
      return error(2, "Invalid request: unknown variant " + io.vertx.core.json.Json.encode(method)
          + ", expected one of " + METHODS, id);
    }
    return switch (name) {
      case "SUBSCRIBE" -> subscribe(c, args, id, true);
      case "UNSUBSCRIBE" -> subscribe(c, args, id, false);
      case "LIST_SUBSCRIPTIONS" -> args.isEmpty()
          ? result(new JsonArray(new ArrayList<>(c.subscriptions.keySet())), id)
          : error(2, "Invalid request: too many parameters", id);
      case "SET_PROPERTY" -> setProperty(c, args, id);
      case "GET_PROPERTY" -> getProperty(c, args, id);
      default -> error(2, "Invalid request: unknown variant " + name + ", expected one of " + METHODS, id);
    };
  }

  private String subscribe(StreamConnection c, List<?> args, Object id, boolean subscribe) {
    List<StreamName> streams = new ArrayList<>(args.size());
    for (Object arg : args) {
      if (!(arg instanceof String s)) {
        return error(2, "Invalid request: stream name must be a string", id);
      }
      String problem = problem(s);
      if (problem != null) {
        return error(2, "Invalid request: " + problem, id);
      }
      streams.add(parseQuietly(s));
    }
    if (subscribe) {
      if (!hub.subscribe(c, streams)) {
        return error(2, "Invalid request: too many streams", id);
      }
    } else {
      hub.unsubscribe(c, streams);
    }
    return result(null, id);
  }

  /** Why {@code text} is not a stream this exchange serves, or null if it is one. */
  static String problem(String text) {
    try {
      StreamName name = StreamName.parse(text);
      if (name.isAllSymbols()) {
        return "stream '" + text + "' does not exist: !bookTicker was removed";
      }
      if (name.intervalMillis() != 0) {
        return "stream '" + text + "' does not exist: bookTicker streams have no update interval";
      }
      return null;
    } catch (InvalidStreamNameException e) {
      return e.getMessage();
    }
  }

  /** Parses a name {@link #problem} accepted. */
  static StreamName parseQuietly(String text) {
    try {
      return StreamName.parse(text);
    } catch (InvalidStreamNameException e) {
      throw new IllegalStateException(e);
    }
  }

  private String setProperty(StreamConnection c, List<?> args, Object id) {
    if (args.size() > 2) {
      return error(2, "Invalid request: too many parameters", id);
    }
    if (args.isEmpty() || !(args.get(0) instanceof String property)) {
      return error(2, "Invalid request: property name must be a string", id);
    }
    if (!property.equals("combined")) {
      return error(0, "Unknown property", id);
    }
    if (args.size() < 2 || !(args.get(1) instanceof Boolean value)) {
      return error(1, "Invalid value type: expected Boolean", id);
    }
    c.combined = value;
    return result(null, id);
  }

  private String getProperty(StreamConnection c, List<?> args, Object id) {
    if (args.size() > 1) {
      return error(2, "Invalid request: too many parameters", id);
    }
    if (args.isEmpty() || !(args.get(0) instanceof String property)) {
      return error(2, "Invalid request: property name must be a string", id);
    }
    if (!property.equals("combined")) {
      return error(0, "Unknown property", id);
    }
    return result(c.combined, id);
  }

  static String result(Object result, Object id) {
    return new JsonObject().put("result", result).put("id", id).encode();
  }

  static String error(int code, String msg, Object id) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("msg", msg)).put("id", id).encode();
  }

  /** Parses one JSON value into maps, lists, strings, numbers, booleans and nulls; nothing may follow it. */
  static Object parse(String text) throws IOException {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() == null) {
        throw new com.fasterxml.jackson.core.JsonParseException(p, "no value", p.currentLocation());
      }
      Object value = read(p);
      if (p.nextToken() != null) {
        throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing characters", p.currentTokenLocation());
      }
      return value;
    }
  }

  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() != JsonToken.END_OBJECT) {
          String key = p.currentName();
          p.nextToken();
          map.put(key, read(p));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(read(p));
        }
        return list;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getNumberValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + t, p.currentTokenLocation());
    }
  }
}
