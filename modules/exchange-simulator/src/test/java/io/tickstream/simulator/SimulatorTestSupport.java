package io.tickstream.simulator;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts simulators on free ports and connects real Vert.x clients to them over TCP. */
abstract class SimulatorTestSupport {

  static final Duration WAIT = Duration.ofSeconds(10);

  Vertx vertx;
  WebSocketClient wsClient;
  HttpClient httpClient;
  final List<ExchangeSimulator> simulators = new ArrayList<>();

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
    wsClient = vertx.createWebSocketClient();
    httpClient = vertx.createHttpClient();
  }

  @AfterEach
  void stopAll() throws Exception {
    for (ExchangeSimulator sim : simulators) {
      sim.close().await(10, TimeUnit.SECONDS);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static Config config() {
    return Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.SYMBOLS, List.of("BTCUSDT", "ETHUSDT", "BNBUSDT"))
        .with(SimulatorSettings.TICK_RATE, 300L);
  }

  static <T> Config with(Config c, Setting<T> s, T v) {
    return c.with(s, v);
  }

  ExchangeSimulator start(Config config) throws Exception {
    ExchangeSimulator sim = ExchangeSimulator.create(vertx, config);
    simulators.add(sim);
    return sim.start().await(10, TimeUnit.SECONDS);
  }

  /** A client connection that queues every text message and records how it ended. */
  static final class Client {
    final WebSocket ws;
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    volatile Short closeStatus;
    volatile boolean closed;

    Client(WebSocket ws) {
      this.ws = ws;
      ws.textMessageHandler(messages::add);
      ws.closeHandler(v -> {
        closeStatus = ws.closeStatusCode();
        closed = true;
      });
    }

    String next() throws InterruptedException {
      String m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("a message within " + WAIT).isNotNull();
      return m;
    }

    /** The next message that satisfies {@code accept}, skipping others (e.g. ticks before a reply). */
    String nextMatching(java.util.function.Predicate<String> accept) throws InterruptedException {
      while (true) {
        String m = next();
        if (accept.test(m)) {
          return m;
        }
      }
    }

    /** Sends a control message and answers its reply (skipping ticks). */
    JsonObject request(String json) throws InterruptedException {
      ws.writeTextMessage(json);
      return new JsonObject(nextMatching(m -> m.contains("\"result\"") || m.contains("\"error\"")));
    }

    void send(String text) {
      ws.writeTextMessage(text);
    }

    void ping() {
      ws.writePing(Buffer.buffer("x"));
    }
  }

  Client connect(ExchangeSimulator sim, String uri) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(sim.host()).setPort(sim.port()).setURI(uri);
    return new Client(wsClient.connect(options).await(10, TimeUnit.SECONDS));
  }

  /** A POST to the admin API, answering the JSON body. */
  JsonObject post(ExchangeSimulator sim, String uri) throws Exception {
    return post(sim, uri, "");
  }

  JsonObject post(ExchangeSimulator sim, String uri, String body) throws Exception {
    return httpClient.request(HttpMethod.POST, sim.port(), sim.host(), uri)
        .compose(req -> req.send(body).compose(resp -> resp.body()))
        .map(Buffer::toJsonObject).await(10, TimeUnit.SECONDS);
  }
}
