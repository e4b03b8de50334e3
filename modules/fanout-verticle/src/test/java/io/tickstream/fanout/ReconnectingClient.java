package io.tickstream.fanout;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client of one raw stream that behaves like a Binance client library: after any close it reconnects (after a few
 * milliseconds, through a {@link LeastConnectionsBalancer}) and subscribes again in the URL. It checks the delivery
 * contract across all its connections and records what breaks it in {@link #violations}: each connection starts with
 * the snapshot and then gets every tick ({@code u} + 1, the client keeps up); a 1012 comes only after a
 * {@code serverShutdown} notice. Across a reconnect {@code u} can go back: every node reads Kafka itself, and the
 * new one may be a few ticks behind the old one. The client then does what Binance asks of its clients, ignores
 * ticks not newer than the last it has ({@link #stale}), so what it shows ({@link #lastU}) never goes back.
 *
 * <p>Threading: callbacks run on the client Vert.x's event loop of the current connection, one connection at a time;
 * the test thread reads the volatile and atomic fields.
 */
final class ReconnectingClient {

  private final Vertx vertx;
  private final WebSocketClient client;
  private final LeastConnectionsBalancer balancer;
  private final String uri;
  private volatile boolean stopped;
  private volatile WebSocket current;
  /** The port of the open connection, -1 between connections. */
  volatile int port = -1;
  volatile long lastU = -1;
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger serviceRestarts = new AtomicInteger();
  /** Ticks at or below {@link #lastU} after a reconnect, ignored; and by how much they were behind at most. */
  final AtomicInteger stale = new AtomicInteger();
  final java.util.concurrent.atomic.AtomicLong maxBehind = new java.util.concurrent.atomic.AtomicLong();
  final List<String> violations = new CopyOnWriteArrayList<>();

  ReconnectingClient(Vertx vertx, WebSocketClient client, LeastConnectionsBalancer balancer, String uri) {
    this.vertx = vertx;
    this.client = client;
    this.balancer = balancer;
    this.uri = uri;
  }

  /** Connects to the node at {@code port} (the first connection; reconnects ask the balancer). */
  Future<Void> connect(int port) {
    return client.connect(port, "127.0.0.1", uri).map(ws -> {
      onOpen(ws, port);
      return null;
    });
  }

  private void onOpen(WebSocket ws, int port) {
    current = ws;
    opened.incrementAndGet();
    long[] previous = {-1};
    boolean[] notice = {false};
    ws.textMessageHandler(text -> {
      JsonObject m = new JsonObject(text);
      if ("serverShutdown".equals(m.getString("e"))) {
        notice[0] = true;
        return;
      }
      Long u = m.getLong("u");
      if (u == null) {
        violations.add("unexpected message " + text);
        return;
      }
      if (previous[0] >= 0 && u != previous[0] + 1) {
        violations.add("u " + previous[0] + " then " + u + " on one connection to " + port + ", though the client keeps up");
      }
      if (u < lastU) {
        // Only at the start of a connection to another node, whose consumer is behind the previous one's: the client
        // ignores what it has already seen, as Binance tells its clients to (drop an update whose u is not newer).
        stale.incrementAndGet();
        maxBehind.accumulateAndGet(lastU - u, Math::max);
      }
      previous[0] = u;
      lastU = Math.max(lastU, u);
    });
    ws.closeHandler(v -> {
      this.port = -1;
      Short code = ws.closeStatusCode();
      if (code != null && code == 1012) {
        serviceRestarts.incrementAndGet();
        if (!notice[0]) {
          violations.add("1012 from " + port + " without serverShutdown first");
        }
      }
      if (previous[0] < 0 && !stopped) {
        violations.add("a connection to " + port + " closed (" + code + ") before its snapshot");
      }
      if (!stopped) {
        reconnectSoon();
      }
    });
    this.port = port;
  }

  private void reconnectSoon() {
    vertx.setTimer(5 + ThreadLocalRandom.current().nextInt(25), id -> balancer.pick().compose(this::connect)
        .onFailure(e -> {
          if (!stopped) {
            reconnectSoon();
          }
        }));
  }

  boolean connected() {
    return port != -1;
  }

  /** Stops reconnecting and closes the connection. */
  void stop() {
    stopped = true;
    WebSocket ws = current;
    if (ws != null) {
      ws.close();
    }
  }
}
