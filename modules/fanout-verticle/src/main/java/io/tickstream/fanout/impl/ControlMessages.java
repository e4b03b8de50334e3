package io.tickstream.fanout.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * Binance's live control messages: parsing a request and writing its reply or error, with Binance's codes
 * and messages ({@code {"error":{"code":2,"msg":"Invalid request: ..."},"id":1}}). Stateless and
 * thread-safe; not on the tick path (requests are rate-limited per connection).
 */
final class ControlMessages {

  static final int UNKNOWN_PROPERTY = 0;
  static final int INVALID_VALUE_TYPE = 1;
  static final int INVALID_REQUEST = 2;
  static final int INVALID_JSON = 3;

  static final String METHODS = "`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`";
  private static final Pattern STRING_ID = Pattern.compile("[A-Za-z0-9]{1,36}");
  private static final JsonFactory JSON = new JsonFactory();

  /** A request whose envelope (JSON, id, method) is valid. */
  record Request(String method, JsonArray params, Object id) {
  }

  /** A request that could not be understood, with the error reply to send. */
  static final class RejectedException extends Exception {
    final String reply;

    RejectedException(String reply) {
      super(reply, null, false, false);
      this.reply = reply;
    }
  }

  private ControlMessages() {
  }

  /** Parses {@code text} into a request, or throws with the error reply Binance would send. */
  static Request parse(String text) throws RejectedException {
    Object value;
    try {
      value = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new RejectedException(error(INVALID_JSON, invalidJson(text), null));
    }
    if (!(value instanceof JsonObject request)) {
      throw new RejectedException(error(INVALID_REQUEST, "Invalid request: expected a JSON object", null));
    }
    Object id = request.getValue("id");
    if (!validId(id)) {
      throw new RejectedException(error(INVALID_REQUEST, "Invalid request: request ID must be an unsigned integer", null));
    }
    if (!request.containsKey("method")) {
      throw new RejectedException(error(INVALID_REQUEST, "Invalid request: missing field `method`", id));
    }
    Object method = request.getValue("method");
    if (!(method instanceof String m) || !isMethod(m)) {
      throw new RejectedException(error(INVALID_REQUEST, "Invalid request: unknown variant `" + method
          + "`, expected one of " + METHODS, id));
    }
    Object params = request.getValue("params");
    if (params != null && !(params instanceof JsonArray)) {
      throw new RejectedException(error(INVALID_REQUEST, "Invalid request: params must be an array", id));
    }
    return new Request(m, params == null ? new JsonArray() : (JsonArray) params, id);
  }

  private static boolean isMethod(String m) {
    return switch (m) {
      case "SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY" -> true;
      default -> false;
    };
  }

  /** A 64-bit signed integer, an alphanumeric string of at most 36 characters, or null. */
  static boolean validId(Object id) {
    return id == null || id instanceof Integer || id instanceof Long
        || (id instanceof String s && STRING_ID.matcher(s).matches());
  }

  /** Binance's code-3 message, with Jackson's line and column of the first syntax error. */
  static String invalidJson(String text) {
    int line = 1;
    int column = 1;
    try (JsonParser p = JSON.createParser(text)) {
      while (p.nextToken() != null) {
        // read to the error
      }
      line = p.currentLocation().getLineNr();
      column = p.currentLocation().getColumnNr();
    } catch (JsonParseException e) {
      line = e.getLocation().getLineNr();
      column = e.getLocation().getColumnNr();
    } catch (IOException e) {
      // keep 1:1
    }
    return "Invalid JSON: expected value at line " + line + " column " + column;
  }

  static String result(Object result, Object id) {
    return new JsonObject().put("result", result).put("id", id).encode();
  }

  static String error(int code, String msg, Object id) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("msg", msg)).put("id", id).encode();
  }
}
