package io.tickstream.simulator.impl;

import io.tickstream.common.config.ConfigException;
import io.tickstream.simulator.SimulatorFaults.MalformedFrame;
import io.tickstream.simulator.SimulatorSettings;
import io.tickstream.simulator.SymbolStatus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Duration;
import java.util.Locale;

/**
 * Binance's REST endpoints the ingest uses, and the test/admin API under {@code /sim}. Every admin call is a
 * {@code POST} answering a small JSON object; bad input answers 400 {@code {"code":-1102,"msg":..}}.
 *
 * <p><b>Threading:</b> handlers run on the simulator's context and call the verticle directly.
 */
final class AdminRoutes {

  private AdminRoutes() {
  }

  static void mount(Router router, SimulatorVerticle sim) {
    router.get("/api/v3/exchangeInfo").handler(ctx -> json(ctx, sim.exchangeInfo()));
    router.get("/api/v3/ping").handler(ctx -> json(ctx, "{}"));
    router.get("/api/v3/time").handler(ctx -> json(ctx, "{\"serverTime\":" + System.currentTimeMillis() + "}"));
    // JSON bodies only: BodyHandler.create() would write multipart uploads to ./file-uploads and never delete them.
    router.route("/sim/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    router.get("/sim/status").handler(ctx -> json(ctx, sim.status().encode()));
    router.post("/sim/symbols").handler(ctx -> {
      JsonObject body;
      try {
        body = ctx.body().asJsonObject();
      } catch (RuntimeException e) {
        body = null;
      }
      if (body == null || !(body.getValue("symbol") instanceof String symbol)) {
        bad(ctx, "expected {\"symbol\":\"NEWUSDT\",\"status\":\"TRADING\"}");
        return;
      }
      try {
        SymbolStatus status = SymbolStatus.valueOf(body.getString("status", "TRADING").toUpperCase(Locale.ROOT));
        json(ctx, sim.putSymbol(symbol, status).encode());
      } catch (IllegalArgumentException | ClassCastException e) {
        bad(ctx, e.getMessage());
      }
    });
    router.post("/sim/rate").handler(ctx -> {
      String text = ctx.request().getParam("ticksPerSecond");
      try {
        long rate = SimulatorSettings.TICK_RATE.parse(text == null ? "" : text);
        sim.tickRate(rate);
        json(ctx, new JsonObject().put("ticksPerSecond", rate).encode());
      } catch (ConfigException e) {
        bad(ctx, e.getMessage());
      }
    });
    router.post("/sim/server-shutdown").handler(ctx -> {
      String text = ctx.request().getParam("closeAfter");
      try {
        Duration closeAfter = text == null ? sim.defaultShutdownCloseDelay() : SimulatorSettings.SHUTDOWN_CLOSE_DELAY.parse(text);
        json(ctx, count(sim.serverShutdown(closeAfter)));
      } catch (ConfigException e) {
        bad(ctx, e.getMessage());
      }
    });
    router.post("/sim/faults/drop-connections").handler(ctx -> json(ctx, count(sim.dropConnections())));
    router.post("/sim/faults/stall").handler(ctx -> json(ctx, count(sim.stallConnections(true))));
    router.post("/sim/faults/resume").handler(ctx -> json(ctx, count(sim.stallConnections(false))));
    router.post("/sim/faults/malformed").handler(ctx -> {
      try {
        String n = ctx.request().getParam("count", "1");
        int count = Integer.parseInt(n);
        MalformedFrame kind = MalformedFrame.valueOf(ctx.request().getParam("kind", "garbage")
            .toUpperCase(Locale.ROOT).replace('-', '_'));
        if (count < 0) {
          throw new IllegalArgumentException("count must not be negative");
        }
        json(ctx, count(sim.sendMalformedFrames(count, kind)));
      } catch (IllegalArgumentException e) {
        bad(ctx, "count must be a number and kind one of garbage, truncated-json, wrong-type: " + e.getMessage());
      }
    });
    router.post("/sim/faults/refuse-connections").handler(ctx -> {
      boolean refuse = !"false".equalsIgnoreCase(ctx.request().getParam("enabled", "true"));
      sim.refuseConnections(refuse);
      json(ctx, new JsonObject().put("refusingConnections", refuse).encode());
    });
    router.post("/sim/faults/max-lifetime").handler(ctx -> {
      String text = ctx.request().getParam("duration");
      try {
        Duration lifetime = SimulatorSettings.MAX_LIFETIME.parse(text == null ? "" : text);
        sim.maxLifetime(lifetime);
        json(ctx, new JsonObject().put("maxLifetimeMillis", lifetime.toMillis()).encode());
      } catch (ConfigException e) {
        bad(ctx, e.getMessage());
      }
    });
  }

  private static String count(int connections) {
    return new JsonObject().put("connections", connections).encode();
  }

  private static void json(RoutingContext ctx, String body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
  }

  private static void bad(RoutingContext ctx, String msg) {
    ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("code", -1102).put("msg", String.valueOf(msg)).encode());
  }
}
