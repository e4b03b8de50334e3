package io.tickstream.fanout.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;
import io.tickstream.common.config.Config;
import io.tickstream.common.net.AddressBlocks;
import io.tickstream.common.protocol.ControlReplies;
import io.tickstream.fanout.FanoutMetrics;
import io.tickstream.fanout.FanoutSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Admission control on the client port, one per node, shared by its server instances (each on its own event loop):
 * <ul>
 *   <li>{@code fanout.connections-per-ip}: WebSocket upgrades and new SockJS sessions per client address per window,
 *       refused with HTTP 429 before the upgrade ({@link ConnectionWindows}; per node, not per cluster);</li>
 *   <li>{@code fanout.handshake-timeout} and {@code fanout.http-idle-timeout} for connections that have not upgraded
 *       ({@link HttpDeadlineHandler});</li>
 *   <li>the client's address behind trusted load balancers: {@code X-Forwarded-For} and the PROXY protocol
 *       ({@code fanout.proxy-protocol}), believed only from {@code fanout.trusted-proxies} ({@link AddressBlocks}).</li>
 * </ul>
 * The node-wide {@code fanout.max-connections} stays in {@link FanoutNode}; WebSocket and SockJS count in both limits.
 *
 * <p>Threading: {@link #onConnection}, {@link #admitUpgrade} and {@link #sockJSHandler} run on the event loop of the
 * connection they look at and never block: the per-address table is a concurrent map updated once per admission;
 * evicting expired windows runs on a worker thread every {@link #sweepMillis}.
 */
public final class Admission {

  /** Vert.x's name for its HTTP/1 connection handler, before which {@link HttpDeadlineHandler} goes. */
  private static final String VERTX_HANDLER = "handler";
  /** Vert.x SockJS keeps its sessions here, node-wide, by session id (vertx-web 5.0 {@code SockJSImpl}). */
  private static final String SOCKJS_SESSIONS = "_vertx.sockjssessions";

  private final Vertx vertx;
  private final int perIpLimit;
  private final Duration window;
  private final long handshakeNanos;
  private final long idleNanos;
  private final AddressBlocks trusted;
  private final AddressBlocks exempt;
  private final boolean proxyProtocol;
  private final ConnectionWindows windows;
  private final Counter refusedPerIp;
  private final Counter handshakeTimeouts;
  private final Counter idleTimeouts;
  private final Counter untracked;
  private final Counter badForwarded;
  private final Map<String, ?> sockJSSessions;
  private final long sweepTimer;
  private final String refusalBody;

  private Admission(Vertx vertx, Config c, MeterRegistry registry) {
    this.vertx = vertx;
    perIpLimit = c.get(FanoutSettings.CONNECTIONS_PER_IP);
    window = c.get(FanoutSettings.CONNECTIONS_PER_IP_WINDOW);
    if (perIpLimit > 0 && window.toMillis() <= 0) {
      throw new IllegalArgumentException("fanout.connections-per-ip-window must be positive");
    }
    handshakeNanos = c.get(FanoutSettings.HANDSHAKE_TIMEOUT).toNanos();
    idleNanos = c.get(FanoutSettings.HTTP_IDLE_TIMEOUT).toNanos();
    trusted = AddressBlocks.of(FanoutSettings.TRUSTED_PROXIES.key(), c.get(FanoutSettings.TRUSTED_PROXIES));
    exempt = AddressBlocks.of(FanoutSettings.CONNECTIONS_PER_IP_EXEMPT.key(), c.get(FanoutSettings.CONNECTIONS_PER_IP_EXEMPT));
    proxyProtocol = c.get(FanoutSettings.PROXY_PROTOCOL);
    if (proxyProtocol && trusted.isEmpty()) {
      throw new IllegalArgumentException("fanout.proxy-protocol needs fanout.trusted-proxies: the load balancers whose "
          + "PROXY headers name the client (from any other peer the header is ignored)");
    }
    long seconds = window.toSeconds();
    refusalBody = ControlReplies.error(ControlReplies.INVALID_REQUEST, "Too many connections: at most " + perIpLimit
        + " per " + (seconds % 60 == 0 && seconds > 0 ? seconds / 60 + " minutes" : window.toMillis() + " ms")
        + " per IP", null);
    windows = new ConnectionWindows(perIpLimit, window.toNanos(), c.get(FanoutSettings.CONNECTIONS_PER_IP_MAX_ADDRESSES));
    refusedPerIp = refused(registry, "per-ip");
    handshakeTimeouts = refused(registry, "handshake-timeout");
    idleTimeouts = refused(registry, "idle-timeout");
    untracked = Counter.builder(FanoutMetrics.ADMISSION_UNTRACKED)
        .description("Connections admitted without a per-IP window: the table of addresses was full").register(registry);
    badForwarded = Counter.builder(FanoutMetrics.ADMISSION_BAD_FORWARDED)
        .description("X-Forwarded-For entries from a trusted proxy that are not IP addresses").register(registry);
    Gauge.builder(FanoutMetrics.ADMISSION_TRACKED, windows, ConnectionWindows::size)
        .description("Client addresses with a per-IP connection window").register(registry);
    sockJSSessions = vertx.sharedData().getLocalMap(SOCKJS_SESSIONS);
    sweepTimer = perIpLimit > 0 ? vertx.setPeriodic(sweepMillis(window), id -> vertx.executeBlocking(() -> {
      windows.evictExpired(System.nanoTime());
      return null;
    }, false)) : -1;
  }

  private static Counter refused(MeterRegistry registry, String reason) {
    return Counter.builder(FanoutMetrics.ADMISSION_REFUSED).tag("reason", reason)
        .description("Client connections refused or closed by admission control before they upgraded").register(registry);
  }

  /** The node's admission control from its settings; {@link IllegalArgumentException} names a bad setting. */
  public static Admission of(Vertx vertx, Config config, MeterRegistry registry) {
    return new Admission(vertx, config, registry);
  }

  /** Expired windows are evicted this often: a tenth of the window, between 1 s and 30 s. */
  static long sweepMillis(Duration window) {
    return Math.clamp(window.toMillis() / 10, 1_000, 30_000);
  }

  /** Sets what admission control needs of the server: the PROXY protocol decoder when {@code fanout.proxy-protocol}. */
  void configure(HttpServerOptions options) {
    options.setUseProxyProtocol(proxyProtocol);
  }

  /** Vert.x's connection handler: arms the handshake and idle deadlines of a new HTTP/1 connection, on its loop. */
  void onConnection(HttpConnection connection) {
    if ((handshakeNanos > 0 || idleNanos > 0) && connection instanceof HttpServerConnection c) {
      ChannelPipeline pipeline = c.channelHandlerContext().pipeline();
      if (pipeline.get(VERTX_HANDLER) != null && pipeline.get(HttpDeadlineHandler.NAME) == null) {
        pipeline.addBefore(VERTX_HANDLER, HttpDeadlineHandler.NAME,
            new HttpDeadlineHandler(handshakeNanos, idleNanos, handshakeTimeouts, idleTimeouts));
      }
    }
  }

  /** The connection became a WebSocket on a pipeline of our own: its liveness is ping/pong from now on. */
  static void upgraded(ChannelPipeline pipeline) {
    if (pipeline.get(HttpDeadlineHandler.NAME) != null) {
      pipeline.remove(HttpDeadlineHandler.NAME);
    }
  }

  /**
   * Counts a WebSocket upgrade against its client's address; past {@code fanout.connections-per-ip} answers 429 (and
   * closes the connection) and returns false.
   */
  boolean admitUpgrade(HttpServerRequest req) {
    if (perIpLimit <= 0) {
      return true;
    }
    byte[] client = clientAddress(req);
    if (client == null || exempt.contains(client)) {
      return true;
    }
    switch (windows.tryAcquire(client, System.nanoTime())) {
      case REFUSED -> {
        refusedPerIp.increment();
        req.response().setStatusCode(429).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.CONNECTION, "close").putHeader(HttpHeaders.RETRY_AFTER, Long.toString(window.toSeconds()))
            .end(refusalBody);
        return false;
      }
      case UNTRACKED -> untracked.increment();
      case ADMITTED -> {
      }
    }
    return true;
  }

  /**
   * A router handler for {@code /sockjs/*}: a request that opens a SockJS session (a transport request for a session id
   * the node does not know, or the websocket transports, which always open one) counts like an upgrade; requests for an
   * existing session (polls, sends, a streaming transport's next request) and {@code /info} do not.
   */
  void sockJSHandler(RoutingContext ctx) {
    if (opensSockJSSession(ctx.request()) && !admitUpgrade(ctx.request())) {
      return;
    }
    ctx.next();
  }

  private boolean opensSockJSSession(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.POST) {
      return false;
    }
    // <mount>/<server>/<session>/<transport> or <mount>/websocket
    String path = req.path();
    int end = path.length();
    int t = path.lastIndexOf('/', end - 1);
    if (t < 0) {
      return false;
    }
    String transport = path.substring(t + 1, end);
    if (transport.equals("websocket")) {
      return true;
    }
    if (!List.of("xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp").contains(transport)) {
      return false;
    }
    int s = path.lastIndexOf('/', t - 1);
    return s >= 0 && !sockJSSessions.containsKey(path.substring(s + 1, t));
  }

  /**
   * The client's address ({@link AddressBlocks#clientAddress}): the TCP peer, or what the trusted proxies in front of
   * it report (the PROXY header's source through Vert.x's {@code remoteAddress()}, and {@code X-Forwarded-For}).
   */
  byte[] clientAddress(HttpServerRequest req) {
    HttpConnection conn = req.connection();
    SocketAddress peer = conn.remoteAddress(true);
    if (peer == null) {
      return null;
    }
    String proxied = null;
    if (proxyProtocol) {
      SocketAddress reported = conn.remoteAddress();
      proxied = reported == null ? null : reported.hostAddress();
    }
    List<String> xff = trusted.isEmpty() ? List.of() : req.headers().getAll("X-Forwarded-For");
    return trusted.clientAddress(peer.hostAddress(), proxied, xff, badForwarded::increment);
  }

  /** Stops the eviction timer; the node is shutting down. */
  public void close() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
  }
}
