package io.tickstream.simulator.impl;

import io.tickstream.common.config.Config;
import io.tickstream.simulator.SimulatorFaults.MalformedFrame;
import io.tickstream.simulator.SimulatorSettings;
import io.tickstream.simulator.SymbolStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The simulated exchange: one HTTP server for REST, WebSocket and the {@code /sim} admin API, the tick
 * generator (or a replay) and the housekeeping timers.
 *
 * <p><b>Threading:</b> deploy exactly one instance. The server, every connection and every timer then run
 * on this verticle's single event-loop context, so the generator writes to sockets without any cross-thread
 * hand-off or locking; one core pushes well over 100k ticks/s to a few connections, which is all a test
 * instrument needs. Callers on other threads go through {@link #onContext}.
 */
public final class SimulatorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatorVerticle.class);
  private static final long HOUSEKEEPING_MILLIS = 25;

  private final Config config;
  private SymbolUniverse universe;
  private StreamHub hub;
  private TickGenerator generator;
  private UpgradeHandler upgrades;
  private ConnectionAttemptLimiter limiter;
  private ReplaySource replay;
  private HttpServer server;
  private volatile int port = -1;

  public SimulatorVerticle(Config config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    long seed = config.get(SimulatorSettings.SEED);
    SubscriberRegistry registry = new SubscriberRegistry();
    List<String> symbols = config.get(SimulatorSettings.SYMBOLS);
    String replayFile = config.get(SimulatorSettings.REPLAY_FILE);
    universe = !symbols.isEmpty() || replayFile != null
        ? SymbolUniverse.fixed(seed, registry, symbols)
        : SymbolUniverse.generated(seed, registry, config.get(SimulatorSettings.UNIVERSE_SIZE),
            config.get(SimulatorSettings.NON_TRADING_PERCENT));
    hub = new StreamHub(registry, new StreamHub.Limits(config.get(SimulatorSettings.PING_INTERVAL),
        config.get(SimulatorSettings.PONG_TIMEOUT), config.get(SimulatorSettings.MAX_STREAMS),
        config.get(SimulatorSettings.MAX_MESSAGES_PER_SECOND), config.get(SimulatorSettings.MAX_PENDING_BYTES)),
        config.get(SimulatorSettings.MAX_LIFETIME));
    Duration interval = config.get(SimulatorSettings.TICK_INTERVAL);
    generator = new TickGenerator(universe, hub, seed, config.get(SimulatorSettings.TICK_RATE), interval.toNanos());
    limiter = new ConnectionAttemptLimiter(config.get(SimulatorSettings.MAX_CONNECT_ATTEMPTS),
        config.get(SimulatorSettings.CONNECT_ATTEMPT_WINDOW).toNanos());
    upgrades = new UpgradeHandler(hub, limiter, config.get(SimulatorSettings.REFUSE_CONNECTIONS));
    Future<?> ready = Future.succeededFuture();
    if (replayFile != null) {
      generator.pause();
      replay = new ReplaySource(vertx, hub, universe, replayFile, ReplaySource.speed(config.get(SimulatorSettings.REPLAY_SPEED)),
          config.get(SimulatorSettings.REPLAY_LOOP));
      ready = replay.load();
    }
    Router router = Router.router(vertx);
    AdminRoutes.mount(router, this);
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.get(SimulatorSettings.HOST))
        .setPort(config.get(SimulatorSettings.PORT))
        .setMaxInitialLineLength(64 * 1024)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
    server = vertx.createHttpServer(options).requestHandler(req -> {
      if (req.canUpgradeToWebSocket() && UpgradeHandler.isStreamPath(req.path())) {
        upgrades.handle(req);
      } else {
        router.handle(req);
      }
    });
    long intervalMillis = Math.max(1, interval.toMillis());
    vertx.setPeriodic(intervalMillis, id -> generator.onTimer(System.nanoTime()));
    vertx.setPeriodic(HOUSEKEEPING_MILLIS, id -> hub.housekeeping(System.nanoTime()));
    vertx.setPeriodic(60_000, id -> limiter.purge(System.nanoTime()));
    return ready.compose(v -> server.listen()).onSuccess(s -> {
      port = s.actualPort();
      if (replay != null) {
        replay.start();
      }
    });
  }

  @Override
  public Future<?> stop() {
    if (replay != null) {
      replay.stop();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The bound port, or -1 before start completed. Any thread. */
  public int port() {
    return port;
  }

  /** Runs {@code action} on this verticle's context; any thread. */
  public <T> Future<T> onContext(Callable<T> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        promise.complete(action.call());
      } catch (Throwable e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  // Operations below run on this verticle's context only (admin routes, or through onContext).

  public JsonObject putSymbol(String symbol, SymbolStatus status) {
    return SymbolUniverse.describe(universe.put(symbol, status));
  }

  public void tickRate(long ticksPerSecond) {
    generator.ticksPerSecond(ticksPerSecond);
  }

  public String exchangeInfo() {
    return universe.exchangeInfo(System.currentTimeMillis());
  }

  /** Sends serverShutdown to every connection, closing them after {@code closeAfter} unless it is null. */
  public int serverShutdown(Duration closeAfter) {
    List<StreamConnection> notified = hub.serverShutdown();
    if (closeAfter != null) {
      vertx.setTimer(Math.max(1, closeAfter.toMillis()), id -> notified.forEach(c -> c.close(1001, "Server shutdown")));
    }
    return notified.size();
  }

  public Duration defaultShutdownCloseDelay() {
    return config.get(SimulatorSettings.SHUTDOWN_CLOSE_DELAY);
  }

  public int dropConnections() {
    return hub.dropAll();
  }

  public int stallConnections(boolean stall) {
    return hub.stallAll(stall);
  }

  public int sendMalformedFrames(int count, MalformedFrame kind) {
    return hub.addMalformed(kind, count);
  }

  public void refuseConnections(boolean refuse) {
    upgrades.refuse = refuse;
  }

  public void maxLifetime(Duration lifetime) {
    hub.maxLifetime(lifetime);
  }

  public int connectionCount() {
    return hub.connectionCount();
  }

  public JsonObject status() {
    return new JsonObject()
        .put("connections", hub.connectionCount())
        .put("symbols", universe.all().size())
        .put("tradingSymbols", universe.tradingCount())
        .put("ticksPerSecond", generator.ticksPerSecond())
        .put("ticksGenerated", generator.generated())
        .put("refusingConnections", upgrades.refuse)
        .put("replay", replay == null ? null : replay.status());
  }
}
