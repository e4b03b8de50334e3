package io.tickstream.common.protocol;

import io.vertx.core.json.JsonObject;

/**
 * Binance's control replies, {@code {"result":..,"id":..}} and {@code {"error":{"code":n,"msg":".."},"id":..}},
 * and its error codes. Stateless and thread-safe.
 */
public final class ControlReplies {

  /** Code 0, {@code Unknown property}. */
  public static final int UNKNOWN_PROPERTY = 0;
  /** Code 1, {@code Invalid value type: expected Boolean}. */
  public static final int INVALID_VALUE_TYPE = 1;
  /** Code 2, {@code Invalid request: ...}. */
  public static final int INVALID_REQUEST = 2;
  /** Code 3, {@code Invalid JSON: expected value at line L column C}. */
  public static final int INVALID_JSON = 3;

  private ControlReplies() {
  }

  /** A successful reply; {@code result} is encoded as Vert.x encodes JSON values (null is kept). */
  public static String result(Object result, Object id) {
    return new JsonObject().put("result", result).put("id", id).encode();
  }

  /** An error reply with Binance's {@code code} and message {@code msg}. */
  public static String error(int code, String msg, Object id) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("msg", msg)).put("id", id).encode();
  }

  /** A code-2 exception: {@code Invalid request: } followed by {@code what}. */
  public static ControlException invalidRequest(String what, Object id) {
    return new ControlException(INVALID_REQUEST, "Invalid request: " + what, id);
  }
}
