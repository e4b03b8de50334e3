package io.tickstream.fanout.impl.server;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.Set;

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
  /**
   * Where the node serves sockjs-client, for SockJS's {@code iframe.html} (whose default loads it from a public CDN: a
   * third party's script in a page of this origin). The version is the WebJar's own, read from its Maven metadata, so
   * the path cannot drift from the jar on the class path.
   */
  static final String SOCKJS_CLIENT = "/webjars/sockjs-client/" + webJarVersion("org.webjars.npm", "sockjs-client")
      + "/dist/sockjs.min.js";

  private static String webJarVersion(String group, String artifact) {
    String resource = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = TickerBoard.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the class path");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private TickerBoard() {
  }

  /** The only paths the board serves; everything else on the client port is a 404 without a file lookup. */
  static final Set<String> FILES = Set.of("/", "/index.html", "/board.js", "/board.css", SOCKJS_CLIENT);

  /**
   * Adds the board's routes; call after every other route.
   *
   * <p>Only {@link #FILES} reach a {@link StaticHandler}: its lookup of a file that does not exist scans the class path
   * (a fat jar of 50 MB) and took 0.4-1.5 s of a worker thread per request here (5 s under load in CI), so a stream of
   * random paths was a cheap way to tie a node up, and a prober's first 404 a slow one.
   */
  static void mount(Router router) {
    // StaticHandler only adds Cache-Control when absent, so a header put first wins.
    router.get("/webjars/*")
        .handler(ctx -> servedOrNotFound(ctx, WEBJAR_CACHE))
        .handler(StaticHandler.create(WEBJARS));
    router.get("/*")
        .handler(ctx -> servedOrNotFound(ctx, PAGE_CACHE))
        .handler(StaticHandler.create(ROOT).setIndexPage("index.html"));
  }

  private static void servedOrNotFound(RoutingContext ctx, String cacheControl) {
    if (!FILES.contains(ctx.normalizedPath())) {
      ctx.response().setStatusCode(404).end();
      return;
    }
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, cacheControl);
    ctx.next();
  }
}
