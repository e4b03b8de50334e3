package io.tickstream.fanout.impl.server;

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
import io.vertx.core.internal.net.RFC3986;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Admission control on the client port, one per node, shared by its server instances (each on its own event loop):
 * <ul>
 *   <li>{@code fanout.connections-per-ip}: sessions per client address per window, whatever transport opens them,
 *       refused with HTTP 429 before the upgrade ({@link ConnectionWindows}; per node, not per cluster). A session is
 *       counted where it is created: {@link #admitUpgrade} for {@code /ws} and {@code /stream}, {@link #admitSession} for
 *       every SockJS session, which Vert.x creates only once its request was routed (on the normalized path). Before
 *       that, {@link #sockJSHandler} answers 429 to a SockJS request that would open a session from an address with no
 *       budget left, so a client is refused before an upgrade whenever that can be known;</li>
 *   <li>{@code fanout.http-connections-per-ip} and {@code fanout.http-max-requests-per-connection}, the handshake and
 *       idle timeouts: what a connection may do while it is plain HTTP ({@link HttpConnectionGuard});</li>
 *   <li>the client's address behind trusted load balancers: {@code X-Forwarded-For} and the PROXY protocol
 *       ({@code fanout.proxy-protocol}), believed only from {@code fanout.trusted-proxies} ({@link AddressBlocks}).</li>
 * </ul>
 * The node-wide {@code fanout.max-connections} stays in {@link FanoutNode}; WebSocket and SockJS count in both limits.
 *
 * <p>Threading: every method but {@link #close} runs on the event loop of the connection it looks at and never blocks:
 * the per-address tables are concurrent maps updated once per admission; evicting expired windows runs on a worker
 * thread every {@link #sweepMillis}.
 */
public final class Admission {

  /** Vert.x's name for its HTTP/1 connection handler, before which {@link HttpConnectionGuard} goes. */
  private static final String VERTX_HANDLER = "handler";
  /** Vert.x SockJS keeps its sessions here, node-wide, by session id (vertx-web 5.0 {@code SockJSImpl}). */
  private static final String SOCKJS_SESSIONS = "_vertx.sockjssessions";
  /** Where {@link FanoutServer} mounts SockJS. */
  static final String SOCKJS_MOUNT = "/sockjs";
  /**
   * The SockJS paths that create a session, as vertx-web 5.0's transports route them (on the normalized path below the
   * mount): {@code /<server>/<session>/<transport>}, and the raw {@code /websocket}. {@code htmlfile.*} is theirs too.
   */
  private static final Pattern SOCKJS_SESSION_PATH =
      Pattern.compile("/[^/.]+/([^/.]+)/(xhr|xhr_streaming|eventsource|jsonp|websocket|htmlfile.*)");
  private static final String SOCKJS_RAW_WEBSOCKET = "/websocket";
  /** The query parameter vertx-web takes a SockJS session id from before the path's (a client may send it). */
  private static final String SOCKJS_SESSION_PARAM = "param0";
  /** Close code of a SockJS session opened past the limit (a race with another of its address's requests). */
  static final short CLOSE_TOO_MANY = 1008;

  private final Vertx vertx;
  private final int perIpLimit;
  private final Duration window;
  private final AddressBlocks trusted;
  private final AddressBlocks exempt;
  private final boolean proxyProtocol;
  private final ConnectionWindows windows;
  private final HttpConnectionSlots httpSlots;
  private final HttpConnectionGuard.Policy guardPolicy;
  private final Counter refusedPerIp;
  private final Counter refusedPerNetwork;
  private final Counter refusedHttpPerIp;
  private final Map<ConnectionWindows.Level, Counter> coarse = new EnumMap<>(ConnectionWindows.Level.class);
  private final Counter badForwarded;
  private final Map<String, ?> sockJSSessions;
  private final long sweepTimer;
  private final String refusalBody;
  private final String networkRefusalBody;

  private Admission(Vertx vertx, Config c, MeterRegistry registry) {
    this.vertx = vertx;
    perIpLimit = c.get(FanoutSettings.CONNECTIONS_PER_IP);
    window = c.get(FanoutSettings.CONNECTIONS_PER_IP_WINDOW);
    if (perIpLimit > 0 && window.toMillis() <= 0) {
      throw new IllegalArgumentException("fanout.connections-per-ip-window must be positive");
    }
    trusted = AddressBlocks.of(FanoutSettings.TRUSTED_PROXIES.key(), c.get(FanoutSettings.TRUSTED_PROXIES));
    exempt = AddressBlocks.of(FanoutSettings.CONNECTIONS_PER_IP_EXEMPT.key(), c.get(FanoutSettings.CONNECTIONS_PER_IP_EXEMPT));
    proxyProtocol = c.get(FanoutSettings.PROXY_PROTOCOL);
    if (proxyProtocol && trusted.isEmpty()) {
      throw new IllegalArgumentException("fanout.proxy-protocol needs fanout.trusted-proxies: the load balancers whose "
          + "PROXY headers name the client (from any other peer the header is ignored)");
    }
    int networkLimit = c.get(FanoutSettings.CONNECTIONS_PER_NETWORK);
    refusalBody = tooMany("Too many connections: at most " + perIpLimit + " per " + describe(window) + " per IP");
    networkRefusalBody = tooMany("Too many connections from your network: at most " + networkLimit + " per "
        + describe(window));
    windows = new ConnectionWindows(perIpLimit, networkLimit, window.toNanos(),
        c.get(FanoutSettings.CONNECTIONS_PER_IP_MAX_ADDRESSES));
    int httpLimit = c.get(FanoutSettings.HTTP_CONNECTIONS_PER_IP);
    httpSlots = httpLimit > 0 ? new HttpConnectionSlots(httpLimit) : null;
    refusedPerIp = refused(registry, "per-ip");
    refusedPerNetwork = refused(registry, "per-network");
    refusedHttpPerIp = refused(registry, "http-per-ip");
    guardPolicy = new HttpConnectionGuard.Policy(c.get(FanoutSettings.HANDSHAKE_TIMEOUT).toNanos(),
        c.get(FanoutSettings.HTTP_IDLE_TIMEOUT).toNanos(), c.get(FanoutSettings.HTTP_MAX_REQUESTS_PER_CONNECTION),
        refused(registry, "handshake-timeout"), refused(registry, "idle-timeout"), refusedHttpPerIp,
        tooMany("Too many connections: at most " + httpLimit + " plain HTTP connections at once per IP")
            .getBytes(StandardCharsets.UTF_8));
    for (ConnectionWindows.Level level : List.of(ConnectionWindows.Level.NETWORK, ConnectionWindows.Level.WIDE)) {
      coarse.put(level, Counter.builder(FanoutMetrics.ADMISSION_COARSE).tag("level", level.tag)
          .description("Sessions counted in the window of their network: the table of addresses (or of networks) was full")
          .register(registry));
    }
    for (ConnectionWindows.Level level : ConnectionWindows.Level.values()) {
      Gauge.builder(FanoutMetrics.ADMISSION_TRACKED, windows, w -> w.size(level)).tag("level", level.tag)
          .description("Per-IP connection windows this node keeps, by level (address, network, wide network)")
          .register(registry);
    }
    badForwarded = Counter.builder(FanoutMetrics.ADMISSION_BAD_FORWARDED)
        .description("X-Forwarded-For entries from a trusted proxy that are not IP addresses").register(registry);
    sockJSSessions = vertx.sharedData().getLocalMap(SOCKJS_SESSIONS);
    sweepTimer = perIpLimit > 0 ? vertx.setPeriodic(sweepMillis(window), id -> vertx.executeBlocking(() -> {
      windows.evictExpired(System.nanoTime());
      return null;
    }, false)) : -1;
  }

  private static String describe(Duration window) {
    long seconds = window.toSeconds();
    return seconds % 60 == 0 && seconds > 0 ? seconds / 60 + " minutes" : window.toMillis() + " ms";
  }

  private static String tooMany(String msg) {
    return ControlReplies.error(ControlReplies.INVALID_REQUEST, msg, null);
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

  /**
   * Vert.x's connection handler, on the new HTTP/1 connection's loop: takes one of its address's plain HTTP slots and
   * puts an {@link HttpConnectionGuard} in its pipeline, which gives the slot back when the connection closes or
   * upgrades, applies the timeouts and the request cap, or answers 429 at once when the address has no slot left.
   */
  void onConnection(HttpConnection connection) {
    if (!(connection instanceof HttpServerConnection c)) {
      return;
    }
    ChannelPipeline pipeline = c.channelHandlerContext().pipeline();
    if (pipeline.get(VERTX_HANDLER) == null || pipeline.get(HttpConnectionGuard.NAME) != null) {
      return;
    }
    byte[] client = httpSlots == null ? null : connectionClient(connection);
    Runnable release = null;
    boolean refuse = false;
    if (client != null) {
      if (httpSlots.tryAcquire(client)) {
        release = () -> httpSlots.release(client);
      } else {
        refuse = true;
      }
    }
    pipeline.addBefore(VERTX_HANDLER, HttpConnectionGuard.NAME, new HttpConnectionGuard(guardPolicy, release, refuse));
  }

  /**
   * The address a new connection's plain HTTP slot is counted for: the TCP peer, or the PROXY header's source from a
   * trusted proxy; null if it is not counted (exempt, or a trusted proxy whose clients only its requests' headers name).
   */
  private byte[] connectionClient(HttpConnection conn) {
    SocketAddress peer = conn.remoteAddress(true);
    if (peer == null || peer.hostAddress() == null) {
      return null;
    }
    byte[] address = AddressBlocks.parse(peer.hostAddress());
    if (address == null) {
      return null;
    }
    if (trusted.contains(address)) {
      SocketAddress reported = proxyProtocol ? conn.remoteAddress() : null;
      address = reported == null || reported.hostAddress() == null ? null : AddressBlocks.parse(reported.hostAddress());
      if (address == null) {
        return null;
      }
    }
    return exempt.contains(address) ? null : address;
  }

  /** The connection became a WebSocket on a pipeline of our own: its liveness is ping/pong from now on. */
  static void upgraded(ChannelPipeline pipeline) {
    if (pipeline.get(HttpConnectionGuard.NAME) != null) {
      pipeline.remove(HttpConnectionGuard.NAME);
    }
  }

  /**
   * Counts a WebSocket upgrade ({@code /ws}, {@code /stream}) against its client's address; past the limit answers 429
   * (and closes the connection) and returns false.
   */
  boolean admitUpgrade(HttpServerRequest req) {
    byte[] client = countedClient(req);
    if (client == null) {
      return true;
    }
    ConnectionWindows.Verdict v = windows.tryAcquire(client, System.nanoTime());
    count(v);
    if (!v.admitted()) {
      tooMany(req, v.level());
    }
    return v.admitted();
  }

  /**
   * Counts a SockJS session Vert.x just created (every transport: websocket, raw websocket, xhr, xhr_streaming,
   * eventsource, htmlfile, jsonp) against the address of the request that created it. Past the limit the session is
   * closed with {@link #CLOSE_TOO_MANY} and false returned: {@link #sockJSHandler} refuses such requests before the
   * upgrade, so this happens only when requests of one address race each other.
   */
  boolean admitSession(SockJSSocket socket) {
    HttpServerRequest req = socket.routingContext() == null ? null : socket.routingContext().request();
    byte[] client = req == null ? null : countedClient(req);
    if (client == null) {
      return true;
    }
    ConnectionWindows.Verdict v = windows.tryAcquire(client, System.nanoTime());
    count(v);
    if (!v.admitted()) {
      socket.close(CLOSE_TOO_MANY, "Too many connections");
    }
    return v.admitted();
  }

  /**
   * A router handler for {@code /sockjs/*}: answers 429 to a request that would open a SockJS session (classified on
   * the normalized path, as the SockJS router matches it) from an address with no budget left. It counts nothing:
   * {@link #admitSession} counts the session once it exists. Requests for an existing session (polls, sends, a streaming
   * transport's next request) and {@code /info} pass.
   */
  void sockJSHandler(RoutingContext ctx) {
    if (opensSockJSSession(ctx)) {
      byte[] client = countedClient(ctx.request());
      ConnectionWindows.Level full = client == null ? null : windows.refusingLevel(client, System.nanoTime());
      if (full != null) {
        count(ConnectionWindows.Verdict.of(false, full));
        tooMany(ctx.request(), full);
        return;
      }
    }
    ctx.next();
  }

  private boolean opensSockJSSession(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.POST) {
      return false;
    }
    String path = ctx.normalizedPath();
    if (!path.startsWith(SOCKJS_MOUNT + "/")) {
      return false;
    }
    String rest = path.substring(SOCKJS_MOUNT.length());
    if (rest.equals(SOCKJS_RAW_WEBSOCKET)) {
      return true;
    }
    Matcher m = SOCKJS_SESSION_PATH.matcher(rest);
    if (!m.matches()) {
      return false;
    }
    if (m.group(2).equals("websocket")) {
      return true;
    }
    String session = req.getParam(SOCKJS_SESSION_PARAM);
    if (session == null) {
      session = RFC3986.decodeURIComponent(m.group(1), false);
    }
    return !sockJSSessions.containsKey(session);
  }

  /** The address a request's session counts against; null if none does (the limit is off, or the address exempt). */
  private byte[] countedClient(HttpServerRequest req) {
    if (perIpLimit <= 0) {
      return null;
    }
    byte[] client = clientAddress(req);
    return client == null || exempt.contains(client) ? null : client;
  }

  private void count(ConnectionWindows.Verdict v) {
    if (!v.admitted()) {
      (v.level() == ConnectionWindows.Level.ADDRESS ? refusedPerIp : refusedPerNetwork).increment();
    } else if (v.level() != ConnectionWindows.Level.ADDRESS) {
      coarse.get(v.level()).increment();
    }
  }

  private void tooMany(HttpServerRequest req, ConnectionWindows.Level level) {
    req.response().setStatusCode(429).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close").putHeader(HttpHeaders.RETRY_AFTER, Long.toString(window.toSeconds()))
        .end(level == ConnectionWindows.Level.ADDRESS ? refusalBody : networkRefusalBody);
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
