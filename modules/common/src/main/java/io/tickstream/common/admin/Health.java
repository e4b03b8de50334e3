package io.tickstream.common.admin;

import io.vertx.core.json.JsonObject;

/**
 * One answer of a health check: up or down, with the role's figures that explain it (served as
 * {@code {"status":"UP"|"DOWN", ...details}}, HTTP 200 when up, 503 when down).
 *
 * @param up      whether the check passes
 * @param details what the role wants an operator to see next to the status; never null
 */
public record Health(boolean up, JsonObject details) {

  public Health {
    details = details == null ? new JsonObject() : details;
  }

  /** Up, with no details. */
  public static Health ok() {
    return new Health(true, new JsonObject());
  }

  /** Up or down, with {@code details}. */
  public static Health of(boolean up, JsonObject details) {
    return new Health(up, details);
  }
}
