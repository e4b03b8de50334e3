package io.tickstream.common.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A role process's private admin server: {@code GET /health/live}, {@code GET /health/ready}, {@code GET /metrics}
 * and {@code GET /cluster} on a port of their own, bound to an interface of their own ({@code <role>.admin-host},
 * {@code <role>.admin-port}, see {@link AdminSettings}), apart from any port clients reach. One implementation for
 * every role, so probes, Prometheus and operators see the same semantics whichever role they ask:
 * <ul>
 *   <li>{@code /health/live} and {@code /health/ready}: 200 when the role's check is up, 503 when down, with the body
 *   {@code {"status":"UP"|"DOWN", ...details}} (details are the role's, e.g. the fanout's data age).</li>
 *   <li>{@code /metrics}: the role's Prometheus registry, in the Prometheus text format, or OpenMetrics when the
 *   scraper's {@code Accept} asks for it; 404 when the role's meters are not in a Prometheus registry.</li>
 *   <li>{@code /cluster}: {@code {"members":[...]}}, every node's latest status (internal addresses included, hence
 *   this port), or an empty list where the role keeps none.</li>
 *   <li>Anything else: 404; a method other than GET or HEAD: 405.</li>
 * </ul>
 *
 * <p>Why a port of its own: the client port faces the internet, and {@code /cluster} names internal addresses while
 * {@code /metrics} tells connection counts and load; probes and Prometheus come from inside the deployment.
 *
 * <p>Threading: {@link #start()} and {@link #close()} from any thread; requests are handled on the event loop of the
 * context that called {@link #start()} (or a fresh one). The checks and the cluster supplier are therefore called on
 * that event loop and must be thread-safe and never block. A scrape formats every meter, so it runs on a worker
 * thread, never on an event loop that may also serve clients.
 */
public final class AdminServer {

  public static final String LIVE = "/health/live";
  public static final String READY = "/health/ready";
  public static final String METRICS = "/metrics";
  public static final String CLUSTER = "/cluster";

  private static final String JSON = "application/json";
  /** The Prometheus text format, what every Prometheus accepts. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  /** OpenMetrics, served only to a scraper whose {@code Accept} names it. */
  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final Supplier<Health> live;
  private final Supplier<Health> ready;
  private final MeterRegistry registry;
  private final Supplier<JsonObject> cluster;
  private HttpServer server;

  private AdminServer(Builder b) {
    this.vertx = Objects.requireNonNull(b.vertx, "vertx");
    this.host = Objects.requireNonNull(b.host, "host");
    this.port = b.port;
    this.live = Objects.requireNonNull(b.live, "live check");
    this.ready = Objects.requireNonNull(b.ready, "ready check");
    this.registry = b.registry;
    this.cluster = b.cluster;
  }

  /** A builder for a server on {@code host:port} of {@code vertx}. */
  public static Builder builder(Vertx vertx, String host, int port) {
    return new Builder(vertx, host, port);
  }

  /** Starts listening; fails if the interface cannot be bound or the port is taken. */
  public Future<AdminServer> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(this::handle);
    return server.listen().map(s -> this);
  }

  /** The bound port (useful with port 0); -1 before {@link #start()} completed. */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /** The interface the server is bound to. */
  public String host() {
    return host;
  }

  /** Stops listening. */
  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    boolean known = path.equals(LIVE) || path.equals(READY) || path.equals(METRICS) || path.equals(CLUSTER);
    if (!known) {
      req.response().setStatusCode(404).end();
      return;
    }
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, HEAD").end();
      return;
    }
    switch (path) {
      case LIVE -> health(req, live.get());
      case READY -> health(req, ready.get());
      case CLUSTER -> {
        JsonObject members = cluster == null ? null : cluster.get();
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON)
            .end((members == null ? new JsonObject().put("members", new JsonArray()) : members).encode());
      }
      default -> metrics(req);
    }
  }

  private static void health(HttpServerRequest req, Health h) {
    JsonObject body = new JsonObject().put("status", h.up() ? "UP" : "DOWN").mergeIn(h.details());
    req.response().setStatusCode(h.up() ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
  }

  private void metrics(HttpServerRequest req) {
    if (!(registry instanceof PrometheusMeterRegistry prometheus)) {
      req.response().setStatusCode(404).end("metrics are not kept in a Prometheus registry\n");
      return;
    }
    String accept = req.getHeader(HttpHeaders.ACCEPT);
    String contentType = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS_TEXT;
    vertx.executeBlocking(() -> prometheus.scrape(contentType), false).onComplete(ar -> {
      if (ar.succeeded()) {
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(ar.result());
      } else {
        req.response().setStatusCode(500).end();
      }
    });
  }

  /** What a role hands its admin server; the two checks are required, the rest optional. */
  public static final class Builder {
    private final Vertx vertx;
    private final String host;
    private final int port;
    private Supplier<Health> live;
    private Supplier<Health> ready;
    private MeterRegistry registry;
    private Supplier<JsonObject> cluster;

    private Builder(Vertx vertx, String host, int port) {
      this.vertx = vertx;
      this.host = host;
      this.port = port;
    }

    /** {@code /health/live}: false only when restarting the process is the cure. Event loop; must not block. */
    public Builder live(Supplier<Health> check) {
      this.live = check;
      return this;
    }

    /** {@code /health/ready}: whether the role should be sent work now. Event loop; must not block. */
    public Builder ready(Supplier<Health> check) {
      this.ready = check;
      return this;
    }

    /** The role's meters; {@code /metrics} serves them if this is a {@link PrometheusMeterRegistry}. */
    public Builder metrics(MeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** {@code /cluster}'s body, {@code {"members":[...]}}; null (or a null answer) serves an empty list. */
    public Builder cluster(Supplier<JsonObject> members) {
      this.cluster = members;
      return this;
    }

    public AdminServer build() {
      return new AdminServer(this);
    }
  }
}
