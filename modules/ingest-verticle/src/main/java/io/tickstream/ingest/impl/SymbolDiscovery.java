package io.tickstream.ingest.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the exchange's symbols from {@code GET /api/v3/exchangeInfo} and keeps those with status
 * {@code TRADING} (only they tick).
 *
 * <p>Threading: call from a Vert.x context; the response (several MB from Binance) is parsed on a worker
 * thread so the event loop never stalls on it. HTTP 429 and 418 fail the future with a
 * {@link RateLimitedException} carrying {@code Retry-After}.
 */
final class SymbolDiscovery {

  static final String PATH = "/api/v3/exchangeInfo";

  /** The exchange asked us to back off. */
  static final class RateLimitedException extends RuntimeException {
    final int status;
    final long retryAfterMillis;

    RateLimitedException(int status, long retryAfterMillis) {
      super("exchangeInfo answered HTTP " + status + ", retry after " + retryAfterMillis + " ms", null, false, false);
      this.status = status;
      this.retryAfterMillis = retryAfterMillis;
    }
  }

  private final Vertx vertx;
  private final HttpClient http;
  private final RequestOptions request;
  private final Set<String> only;

  SymbolDiscovery(Vertx vertx, HttpClient http, String restUrl, Collection<String> only) {
    this.vertx = vertx;
    this.http = http;
    this.request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(restUrl.replaceAll("/+$", "") + PATH)
        .setTimeout(30_000);
    this.only = Set.copyOf(only);
  }

  /** The TRADING symbols, sorted, restricted to {@code ingest.symbols} when that is set. */
  Future<List<String>> tradingSymbols() {
    return http.request(request)
        .compose(req -> req.send())
        .compose(resp -> {
          int status = resp.statusCode();
          if (status == 429 || status == 418) {
            String retryAfter = resp.getHeader("Retry-After");
            long millis = retryAfter == null ? 60_000 : parseSeconds(retryAfter) * 1000;
            return Future.failedFuture(new RateLimitedException(status, millis));
          }
          if (status != 200) {
            return Future.failedFuture("exchangeInfo answered HTTP " + status);
          }
          return resp.body();
        })
        .compose(body -> vertx.executeBlocking(() -> parse(body.toJsonObject())));
  }

  private List<String> parse(JsonObject info) {
    JsonArray symbols = info.getJsonArray("symbols");
    if (symbols == null) {
      throw new IllegalStateException("exchangeInfo has no 'symbols' array");
    }
    Set<String> trading = new TreeSet<>();
    for (Object o : symbols) {
      if (o instanceof JsonObject s && "TRADING".equals(s.getString("status")) && s.getString("symbol") != null) {
        String symbol = s.getString("symbol");
        if (only.isEmpty() || only.contains(symbol)) {
          trading.add(symbol);
        }
      }
    }
    return List.copyOf(trading);
  }

  private static long parseSeconds(String value) {
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return 60;
    }
  }
}
