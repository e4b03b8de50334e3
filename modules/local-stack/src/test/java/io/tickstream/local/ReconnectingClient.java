package io.tickstream.local;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;

/**
 * A WebSocket client that behaves as Binance's client libraries do across a server restart: one combined stream of
 * its symbols; when the connection closes, it reconnects after an exponential backoff with full jitter (a random
 * delay in [0, min(cap, base * 2^attempt)]) to whatever node {@code endpoints} offers then, as a client behind a
 * load balancer does. {@code serverShutdown} is noted, not acted on: the close that follows is what moves it.
 *
 * <p>It records what the test asserts: per symbol {@code u} regressions (across reconnects: one logical client),
 * repeats of a {@code u} within a connection, the longest silence per symbol while a connection was open (from the
 * open to the first tick, between ticks, from the last tick to the close), each close's code and how long until
 * the next connection delivered its first message. All of it is written on the client's event loop under this
 * object's lock and read by the test thread.
 */
final class ReconnectingClient {

  static final long BACKOFF_BASE_MILLIS = 100;
  static final long BACKOFF_CAP_MILLIS = 2_000;

  private final Vertx vertx;
  private final WebSocketClient client;
  private final String name;
  private final String uri;
  private final Supplier<List<Integer>> endpoints;
  private final Map<String, Long> lastU = new HashMap<>();
  private final List<String> regressions = new ArrayList<>();
  /** Per symbol: the longest silence while connected (µs) and where it lay. */
  private final Map<String, Long> longestSilence = new TreeMap<>();
  private final Map<String, String> longestSilenceWhere = new HashMap<>();
  private final List<Long> reconnectGapsMicros = new ArrayList<>();
  private final Map<Short, Integer> closesByCode = new TreeMap<>();
  private final List<String> events = new ArrayList<>();
  private int shutdownNotices;
  private int connectFailures;
  private int attempt;
  private boolean stopped;
  // The current connection.
  private WebSocket ws;
  private int port;
  private long openedAt;
  private long closedAt;
  private final Map<String, Long> lastReceived = new HashMap<>();
  private final Map<String, Long> lastUOnConnection = new HashMap<>();
  private boolean awaitingFirstMessage;

  ReconnectingClient(Vertx vertx, String name, List<String> streams, Supplier<List<Integer>> endpoints) {
    this.vertx = vertx;
    this.client = vertx.createWebSocketClient();
    this.name = name;
    this.uri = "/stream?streams=" + String.join("/", streams);
    this.endpoints = endpoints;
  }

  static long nowMicros() {
    return System.nanoTime() / 1000;
  }

  synchronized void start() {
    connect();
  }

  private synchronized void connect() {
    if (stopped) {
      return;
    }
    List<Integer> live = endpoints.get();
    if (live.isEmpty()) {
      retry("no endpoint");
      return;
    }
    int target = live.get(ThreadLocalRandom.current().nextInt(live.size()));
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(target).setURI(uri))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            onOpen(ar.result(), target);
          } else {
            synchronized (this) {
              connectFailures++;
              retry("connect to " + target + " failed: " + ar.cause().getMessage());
            }
          }
        });
  }

  private void retry(String why) {
    long cap = Math.min(BACKOFF_CAP_MILLIS, BACKOFF_BASE_MILLIS << Math.min(attempt++, 10));
    long delay = 1 + ThreadLocalRandom.current().nextLong(cap);
    events.add(String.format("+%d ms %s, retry in %d ms", nowMicros() / 1000, why, delay));
    vertx.setTimer(delay, id -> connect());
  }

  private synchronized void onOpen(WebSocket socket, int target) {
    if (stopped) {
      socket.close();
      return;
    }
    ws = socket;
    port = target;
    openedAt = nowMicros();
    attempt = 0;
    lastReceived.clear();
    lastUOnConnection.clear();
    awaitingFirstMessage = closedAt != 0;
    events.add(String.format("+%d ms open on %d", openedAt / 1000, target));
    socket.textMessageHandler(this::onText);
    socket.closeHandler(v -> onClose(socket));
  }

  private synchronized void onText(String text) {
    long now = nowMicros();
    if (awaitingFirstMessage) {
      awaitingFirstMessage = false;
      reconnectGapsMicros.add(now - closedAt);
    }
    JsonObject message = new JsonObject(text);
    JsonObject data = message.getJsonObject("data");
    if (data == null) {
      return;
    }
    if ("serverShutdown".equals(data.getString("e"))) {
      shutdownNotices++;
      return;
    }
    String symbol = data.getString("s");
    long u = data.getLong("u");
    Long last = lastU.put(symbol, u);
    if (last != null && u < last) {
      regressions.add(String.format("%s: %s u %d after %d (connection on port %d)", name, symbol, u, last, port));
    }
    Long lastHere = lastUOnConnection.put(symbol, u);
    if (lastHere != null && u <= lastHere) {
      regressions.add(String.format("%s: %s u %d after %d on one connection (port %d)", name, symbol, u, lastHere, port));
    }
    Long previous = lastReceived.put(symbol, now);
    silence(symbol, now - (previous == null ? openedAt : previous), previous == null ? "from open to first tick" : "between ticks");
  }

  private synchronized void onClose(WebSocket socket) {
    if (socket != ws) {
      return;
    }
    long now = nowMicros();
    for (String symbol : lastU.keySet()) {
      Long previous = lastReceived.get(symbol);
      silence(symbol, now - (previous == null ? openedAt : previous), "from last tick to close");
    }
    ws = null;
    if (stopped) {
      return;
    }
    short code = socket.closeStatusCode() == null ? 1006 : socket.closeStatusCode();
    closesByCode.merge(code, 1, Integer::sum);
    closedAt = now;
    retry("closed " + code + " by " + port);
  }

  private void silence(String symbol, long micros, String where) {
    if (micros > longestSilence.getOrDefault(symbol, 0L)) {
      longestSilence.put(symbol, micros);
      longestSilenceWhere.put(symbol, String.format("%s on port %d, %s, ending at %d ms", name, port, where, nowMicros() / 1000));
    }
  }

  /** Stops reconnecting and closes; the silence up to now counts. */
  synchronized void stop() {
    stopped = true;
    if (ws != null) {
      WebSocket socket = ws;
      long now = nowMicros();
      for (String symbol : lastU.keySet()) {
        Long previous = lastReceived.get(symbol);
        silence(symbol, now - (previous == null ? openedAt : previous), "from last tick to the end");
      }
      ws = null;
      socket.close();
    }
  }

  synchronized boolean connectedTo(List<Integer> ports) {
    return ws != null && ports.contains(port);
  }

  synchronized Map<String, Long> longestSilence() {
    return new TreeMap<>(longestSilence);
  }

  synchronized String whereSilence(String symbol) {
    return longestSilenceWhere.get(symbol);
  }

  synchronized List<String> regressions() {
    return List.copyOf(regressions);
  }

  synchronized List<Long> reconnectGapsMicros() {
    return List.copyOf(reconnectGapsMicros);
  }

  synchronized Map<Short, Integer> closesByCode() {
    return new TreeMap<>(closesByCode);
  }

  synchronized int shutdownNotices() {
    return shutdownNotices;
  }

  synchronized int connectFailures() {
    return connectFailures;
  }

  synchronized boolean awaitingReconnect() {
    return ws == null || awaitingFirstMessage;
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  String name() {
    return name;
  }

  /** The first tick on {@code path} of the node on {@code port}; retried while the node refuses the upgrade. */
  static JsonObject firstTick(Vertx vertx, int port, String path) {
    ConcurrentLinkedQueue<JsonObject> ticks = new ConcurrentLinkedQueue<>();
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket ws = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> client
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path))
        .await(10, TimeUnit.SECONDS), w -> w != null);
    ws.textMessageHandler(text -> ticks.add(new JsonObject(text)));
    JsonObject tick = await().atMost(Duration.ofSeconds(30)).until(ticks::peek, t -> t != null);
    ws.close();
    client.close();
    return tick;
  }
}
