package io.tickstream.fanout;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A least-connections load balancer, as a test instrument: where a client (re)connects is the ready, not draining
 * fanout node with the fewest connections in {@code GET /cluster} (asked of one of the admin ports {@code via}, any node lists them
 * all), ties broken at random. Like a real balancer it sees the counts the nodes publish, a second late.
 */
final class LeastConnectionsBalancer {

  private final HttpClient http;
  private final List<Integer> via;

  LeastConnectionsBalancer(Vertx vertx, List<Integer> via) {
    this.http = vertx.createHttpClient();
    this.via = List.copyOf(via);
  }

  /** The port of the node the next connection goes to. */
  Future<Integer> pick() {
    int port = via.get(ThreadLocalRandom.current().nextInt(via.size()));
    return http.request(HttpMethod.GET, port, "127.0.0.1", "/cluster")
        .compose(req -> req.send().compose(resp -> resp.body()))
        .map(body -> new JsonObject(body.toString()).getJsonArray("members").stream().map(JsonObject.class::cast)
            .filter(m -> "fanout".equals(m.getString("role")) && m.getBoolean("ready", false)
                && !m.getBoolean("draining", false))
            .min(Comparator.<JsonObject>comparingLong(m -> m.getLong("connections"))
                .thenComparingDouble(m -> ThreadLocalRandom.current().nextDouble()))
            .map(m -> Integer.parseInt(m.getString("address").substring(m.getString("address").lastIndexOf(':') + 1)))
            .orElseThrow(() -> new IllegalStateException("no ready fanout node in /cluster")));
  }
}
