package io.tickstream.simulator.impl;

import io.tickstream.common.stream.StreamName;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Admits or refuses WebSocket upgrades on {@code /ws}, {@code /ws/<stream>[/<stream>...]} and
 * {@code /stream?streams=a/b/c}, then hands the socket to the {@link StreamHub}.
 *
 * <p>Refusals are plain HTTP answers to the upgrade request, with a JSON body in Binance's REST error shape
 * {@code {"code":..,"msg":..}}: 503 while the refuse fault is on, 429 with {@code Retry-After} past the
 * per-IP attempt limit, 400 for an invalid stream name or too many streams.
 *
 * <p><b>Threading:</b> confined to the simulator's context.
 */
final class UpgradeHandler {

  private final StreamHub hub;
  private final ConnectionAttemptLimiter limiter;
  boolean refuse;

  UpgradeHandler(StreamHub hub, ConnectionAttemptLimiter limiter, boolean refuse) {
    this.hub = hub;
    this.limiter = limiter;
    this.refuse = refuse;
  }

  static boolean isStreamPath(String path) {
    return path.equals("/ws") || path.startsWith("/ws/") || path.equals("/stream") || path.equals("/stream/");
  }

  void handle(HttpServerRequest req) {
    if (refuse) {
      reject(req, 503, -1008, "Service unavailable: the server is not accepting connections", 0);
      return;
    }
    String host = req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
    long retryAfter = limiter.tryAcquire(host, System.nanoTime());
    if (retryAfter > 0) {
      reject(req, 429, -1003, "Too many connection attempts; retry after " + retryAfter + " s", retryAfter);
      return;
    }
    String path = req.path();
    boolean combined = path.startsWith("/stream");
    List<String> names = new ArrayList<>();
    String list = combined ? req.getParam("streams") : path.startsWith("/ws/") ? path.substring(4) : null;
    if (list != null) {
      for (String name : list.split("/")) {
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
    }
    if (names.size() > hub.maxStreams()) {
      reject(req, 400, -1101, "Too many streams: " + names.size() + " requested, at most " + hub.maxStreams(), 0);
      return;
    }
    List<StreamName> streams = new ArrayList<>(names.size());
    for (String name : names) {
      String problem = ControlProtocol.problem(name);
      if (problem != null) {
        reject(req, 400, -1100, "Invalid stream: " + problem, 0);
        return;
      }
      streams.add(ControlProtocol.parseQuietly(name));
    }
    boolean micros = "MICROSECOND".equalsIgnoreCase(req.getParam("timeUnit"));
    req.toWebSocket().onSuccess(ws -> hub.open(ws, host, combined, micros, streams));
  }

  private static void reject(HttpServerRequest req, int status, int code, String msg, long retryAfterSeconds) {
    var response = req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (retryAfterSeconds > 0) {
      response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
    }
    response.end(new JsonObject().put("code", code).put("msg", msg).encode());
  }
}
