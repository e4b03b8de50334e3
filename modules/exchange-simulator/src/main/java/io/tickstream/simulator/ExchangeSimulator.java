package io.tickstream.simulator;

import io.tickstream.common.config.Config;
import io.tickstream.simulator.impl.SimulatorFaultsImpl;
import io.tickstream.simulator.impl.SimulatorVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * A Binance spot market-stream server you can run offline or start inside a test: {@code exchangeInfo},
 * book-ticker streams on {@code /ws} and {@code /stream} with Binance's control messages, limits and
 * connection rules, faults on demand and replay of captured traffic. One port serves REST, WebSocket and
 * the {@code /sim} admin API.
 *
 * <pre>{@code
 * ExchangeSimulator sim = ExchangeSimulator.create(Config.defaults(SimulatorSettings.ALL)
 *     .with(SimulatorSettings.PORT, 0).with(SimulatorSettings.SYMBOLS, List.of("BTCUSDT", "ETHUSDT")));
 * sim.start().await();
 * String url = sim.wsUrl() + "/ws/btcusdt@bookTicker";
 * ...
 * sim.close().await();
 * }</pre>
 *
 * <p><b>Threading:</b> every method may be called from any thread. The simulator runs on one Vert.x
 * event-loop context (see {@link SimulatorVerticle}); operations are handed to it and their futures complete
 * on it. Do not block on a future from that context.
 */
public final class ExchangeSimulator {

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final Config config;
  private final SimulatorVerticle verticle;
  private final SimulatorFaults faults;
  private String deploymentId;

  private ExchangeSimulator(Vertx vertx, boolean ownsVertx, Config config) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.config = config;
    this.verticle = new SimulatorVerticle(config);
    this.faults = new SimulatorFaultsImpl(verticle);
  }

  /** A simulator with its own Vert.x instance, closed by {@link #close()}. */
  public static ExchangeSimulator create(Config config) {
    return new ExchangeSimulator(Vertx.vertx(), true, config);
  }

  /** A simulator deployed on {@code vertx} (which it does not close). */
  public static ExchangeSimulator create(Vertx vertx, Config config) {
    return new ExchangeSimulator(vertx, false, config);
  }

  /** Binds the port and starts ticking (or replaying). */
  public Future<ExchangeSimulator> start() {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(1)).map(id -> {
      deploymentId = id;
      return this;
    });
  }

  /** Stops the server, closing every connection, and the owned Vert.x instance if any. */
  public Future<Void> close() {
    if (ownsVertx) {
      // Closing Vert.x undeploys the verticle; chaining on the undeploy future instead would complete on an
      // event loop that Vert.x has just shut down.
      return vertx.close();
    }
    return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
  }

  /** The bound port (the actual one when {@code simulator.port} is 0); -1 before {@link #start} completed. */
  public int port() {
    return verticle.port();
  }

  public String host() {
    return config.get(SimulatorSettings.HOST);
  }

  /** {@code http://host:port}: prefix of {@code /api/v3/exchangeInfo} and {@code /sim/...}. */
  public String restUrl() {
    return "http://" + host() + ":" + port();
  }

  /** {@code ws://host:port}: prefix of {@code /ws/<stream>}, {@code /ws} and {@code /stream?streams=...}. */
  public String wsUrl() {
    return "ws://" + host() + ":" + port();
  }

  public Config config() {
    return config;
  }

  public SimulatorFaults faults() {
    return faults;
  }

  /** Changes the total tick rate (ticks per second across all TRADING symbols). */
  public Future<Void> tickRate(long ticksPerSecond) {
    return verticle.onContext(() -> {
      verticle.tickRate(ticksPerSecond);
      return null;
    });
  }

  /** Lists a new symbol or changes a listed symbol's status; answers the symbol as exchangeInfo shows it. */
  public Future<JsonObject> putSymbol(String symbol, SymbolStatus status) {
    return verticle.onContext(() -> verticle.putSymbol(symbol, status));
  }

  /**
   * Sends Binance's {@code serverShutdown} event to every connection and, unless {@code closeAfter} is null,
   * closes them (1001) that much later. Answers the number of connections notified.
   */
  public Future<Integer> serverShutdown(Duration closeAfter) {
    return verticle.onContext(() -> verticle.serverShutdown(closeAfter));
  }

  /** Open WebSocket connections. */
  public Future<Integer> connectionCount() {
    return verticle.onContext(verticle::connectionCount);
  }

  /** Counters and switches, as {@code GET /sim/status} answers them. */
  public Future<JsonObject> status() {
    return verticle.onContext(verticle::status);
  }
}
