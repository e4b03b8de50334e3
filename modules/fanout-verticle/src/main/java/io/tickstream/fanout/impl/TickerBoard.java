package io.tickstream.fanout.impl;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The live ticker board at {@code /}: a static page, one script and one style sheet from this jar, and the
 * sockjs-client WebJar at {@code /webjars/}. The page is only a client of the node's public protocol
 * ({@code /stream} and {@code /sockjs}); nothing here knows about ticks.
 *
 * <p>Mounted last on the router, after every endpoint, so it only answers paths that no endpoint claims. It is
 * served whatever the node's readiness: the page loads, shows "connecting" and retries while upgrades get 503.
 *
 * <p>Caching: the board's files have stable names, so they are sent with {@code no-cache} (the browser keeps
 * them but revalidates with {@code If-Modified-Since}, answered 304), which makes a new version visible at the
 * next load. WebJar paths carry the library version, so they are {@code immutable} for a year.
 *
 * <p>Threading: the handlers run on the event loop of the server instance; the static files are read
 * asynchronously by {@link StaticHandler}.
 */
final class TickerBoard {

  /** Class-path folder of the board's page, script and style sheet (a package path: nothing else serves it). */
  static final String ROOT = "io/tickstream/fanout/board";
  /** Class-path folder of WebJars, as the WebJars convention lays them out. */
  static final String WEBJARS = "META-INF/resources/webjars";
  static final String PAGE_CACHE = "no-cache";
  static final String WEBJAR_CACHE = "public, max-age=31536000, immutable";

  private TickerBoard() {
  }

  /** Adds the board's routes; call after every other route. */
  static void mount(Router router) {
    // StaticHandler only adds Cache-Control when absent, so a header put first wins.
    router.get("/webjars/*")
        .handler(ctx -> {
          ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, WEBJAR_CACHE);
          ctx.next();
        })
        .handler(StaticHandler.create(WEBJARS));
    router.get("/*")
        .handler(ctx -> {
          ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, PAGE_CACHE);
          ctx.next();
        })
        .handler(StaticHandler.create(ROOT).setIndexPage("index.html"));
  }
}
