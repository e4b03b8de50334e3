package io.tickstream.fanout.impl.server;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tickstream.common.protocol.ControlReplies;
import io.tickstream.common.stream.InvalidStreamNameException;
import io.tickstream.common.stream.StreamName;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.access.Lease;
import io.tickstream.fanout.impl.loop.LoopDispatcher;
import io.tickstream.fanout.impl.session.ConflatingSender;
import io.tickstream.fanout.impl.source.TickBatch;
import io.tickstream.fanout.impl.transport.UnsentBytesBound;
import io.tickstream.fanout.impl.transport.UnsentGate;
import io.tickstream.fanout.impl.transport.VertxFrameGuard;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One server instance of a node, on one event loop: the HTTP server (shared port, Vert.x spreads accepted
 * connections over the instances), its {@link LoopDispatcher}, and the endpoints:
 * {@code GET /ws[/<stream>...]}, {@code GET /stream?streams=a/b}, {@code /sockjs}, and the live ticker board at
 * {@code /} ({@link TickerBoard}, mounted last so it only sees paths no endpoint claims). Nothing else: health,
 * metrics and {@code /cluster} are on the node's private admin port ({@code fanout.admin-port},
 * {@link io.tickstream.common.admin.AdminServer}), never on this internet-facing one, where they answer 404.
 *
 * <p>Who may connect (Origin allowlist, client keys: 403, 401, 429) is
 * {@link io.tickstream.fanout.impl.access.ClientAccess}'s to decide, before the upgrade or any SockJS transport.
 * Upgrades are refused with HTTP 503 while the node is not ready or draining, or at
 * {@code fanout.max-connections}; with HTTP 429 past {@code fanout.connections-per-ip} ({@link Admission}, which also
 * times out connections that never upgrade); with HTTP 400 and a Binance error body when a stream name in the URL is
 * invalid, names an unknown symbol, or there are too many.
 */
public final class FanoutServer extends VerticleBase {

  private static final String JSON = "application/json";

  private final FanoutNode node;
  private final int port;
  private LoopDispatcher dispatcher;
  /** Null when {@code fanout.websocket-transport=vertx}. */
  private WebSocketChannelUpgrade channelUpgrade;
  private MessageConsumer<TickBatch> ticks;
  private HttpServer server;
  private Admission admission;

  public FanoutServer(FanoutNode node, int port) {
    this.node = node;
    this.port = port;
  }

  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    FanoutConfig c = node.config;
    dispatcher = new LoopDispatcher(vertx, context, c, node.metrics);
    admission = node.admission();
    dispatcher.onSessionRemoved = node::releaseConnection;
    node.register(dispatcher);
    if (c.channelWebSockets()) {
      channelUpgrade = new WebSocketChannelUpgrade(dispatcher, c.maxFrameBytes(), c.writeQueueBytes(), c.maxOutboundBytes());
    }
    node.metrics.add(dispatcher);
    // This loop's one consumer of the node's ticks; its handler runs on this loop.
    ticks = vertx.eventBus().<TickBatch>localConsumer(node.address(), msg -> dispatcher.onTicks(msg.body().ticks()));

    Router router = Router.router(vertx);
    router.route("/sockjs/*").handler(node.access::handleSockJS);
    router.route("/sockjs/*").handler(ctx -> {
      if (node.draining() || !dispatcher.hasSnapshot()) {
        ctx.response().setStatusCode(503).end();
      } else {
        ctx.next();
      }
    });
    router.route("/sockjs/*").handler(admission::sockJSHandler);
    router.route("/sockjs/*").handler(rc -> VertxFrameGuard.installForSockJS(rc, c.maxFrameBytes()));
    // xhr_send and jsonp_send read the body from the routing context, so SockJS needs a BodyHandler; without file
    // uploads, which BodyHandler.create() would write to ./file-uploads for anyone and never delete.
    router.route("/sockjs/*").handler(BodyHandler.create(false).setBodyLimit(c.maxFrameBytes()));
    // Each request of an HTTP streaming transport: its session's sink bounds the new connection's unsent bytes.
    router.route("/sockjs/*").handler(node.sockJSStreams::onRequest);
    router.route("/sockjs/*").subRouter(SockJSHandler.create(vertx, new SockJSHandlerOptions()
        .setLibraryURL(TickerBoard.SOCKJS_CLIENT).setMaxBytesStreaming(c.sockJSStreamBytes()))
        .socketHandler(this::onSockJS));
    TickerBoard.mount(router);

    HttpServerOptions options = new HttpServerOptions().setHost(c.host()).setPort(port)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
        // Vert.x's decoder (fanout.websocket-transport=vertx, and SockJS's websocket transport) reads frames up to
        // TRANSPORT_FRAME_FACTOR x the limit. On the vertx transport VertxFrameGuard closes with 1009 from the limit
        // itself and answers the decoder's refusal of larger frames with 1009 too; on SockJS the session closes with
        // 1009 up to this, and Vert.x drops the connection beyond.
        .setMaxWebSocketFrameSize(transportLimit(c)).setMaxWebSocketMessageSize(transportLimit(c))
        .setRegisterWebSocketWriteHandlers(false).setStrictThreadMode(true).setTcpNoDelay(true)
        // No HTTP/2 cleartext upgrade (no client of ours speaks it): one handler less in every connection's pipeline
        // while it is HTTP, and none between Vert.x's HTTP decoder and the WebSocket pipeline that replaces it.
        .setHttp2ClearTextEnabled(false);
    if (c.sendBufferBytes() > 0) {
      options.setSendBufferSize(c.sendBufferBytes());
    }
    admission.configure(options);
    node.tls().configure(options);
    server = vertx.createHttpServer(options).connectionHandler(conn -> {
      admission.onConnection(conn);
      if (conn instanceof HttpServerConnection http) {
        Channel channel = http.channelHandlerContext().channel();
        UnsentBytesBound.apply(channel, c.tcpNotSentLowAt());
        // A WebSocket's sink takes the bound over from the kernel where it can (UnsentGate says why).
        UnsentGate.offer(channel, c.tcpNotSentLowAt());
      }
    }).requestHandler(req -> {
      String path = req.path();
      if (path.equals("/ws") || path.startsWith("/ws/") || path.equals("/stream")) {
        upgrade(req);
      } else {
        router.handle(req);
      }
    });
    return server.listen().onSuccess(node.tls()::register);
  }

  /** How much larger than {@code fanout.max-frame-bytes} the transport still reads, to answer 1009 cleanly. */
  static final int TRANSPORT_FRAME_FACTOR = 4;

  private static int transportLimit(FanoutConfig c) {
    return (int) Math.min(Integer.MAX_VALUE / 2, (long) c.maxFrameBytes() * TRANSPORT_FRAME_FACTOR);
  }

  private void upgrade(HttpServerRequest req) {
    if (node.draining() || !dispatcher.hasSnapshot()) {
      reject(req, 503, "Service unavailable: not ready");
      return;
    }
    if (!node.access.checkOrigin(req)) {
      return;
    }
    boolean combined = req.path().equals("/stream");
    List<StreamName> streams;
    try {
      streams = streams(req, combined);
    } catch (InvalidStreamNameException e) {
      reject(req, 400, "Invalid request: " + e.getMessage());
      return;
    }
    for (StreamName s : streams) {
      if (!s.isAllSymbols() && !dispatcher.isKnown(s.symbol())) {
        reject(req, 400, "Invalid request: unknown symbol " + s.symbol());
        return;
      }
    }
    if (streams.size() > node.config.maxStreams()) {
      reject(req, 400, "Invalid request: too many streams, at most " + node.config.maxStreams() + " per connection");
      return;
    }
    if (channelUpgrade != null) {
      WebSocketHandshake.Refusal refusal = WebSocketHandshake.check(req);
      if (refusal != null) {
        if (refusal.upgradeRequired()) {
          req.response().putHeader(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        }
        req.response().setStatusCode(refusal.status()).end(refusal.body());
        return;
      }
    }
    if (!admission.admitUpgrade(req)) {
      return;
    }
    Lease lease = node.access.admit(req, streams);
    if (lease == null) {
      return;
    }
    if (!node.tryAcquireConnection()) {
      lease.release();
      reject(req, 503, "Service unavailable: connection limit reached");
      return;
    }
    if (channelUpgrade != null) {
      channelUpgrade.takeOver(req, combined, streams).lease(lease, context);
      return;
    }
    req.toWebSocket().onComplete(ar -> {
      if (ar.failed()) {
        node.releaseConnection();
        lease.release();
      } else {
        Admission.upgraded(((WebSocketInternal) ar.result()).channelHandlerContext().pipeline());
        dispatcher.openWebSocket(ar.result(), combined, streams).lease(lease, context);
      }
    });
  }

  /** The streams a URL names: {@code /ws/a/b} or {@code /stream?streams=a/b}; {@code timeUnit} is checked. */
  private static List<StreamName> streams(HttpServerRequest req, boolean combined) throws InvalidStreamNameException {
    String timeUnit = req.getParam("timeUnit");
    if (timeUnit != null) {
      String t = timeUnit.toUpperCase(Locale.ROOT);
      if (!t.equals("MILLISECOND") && !t.equals("MICROSECOND")) {
        throw new InvalidStreamNameException("invalid timeUnit '" + timeUnit + "': expected MILLISECOND or MICROSECOND");
      }
    }
    String list;
    if (combined) {
      list = req.getParam("streams");
    } else {
      String path = req.path();
      list = path.length() > 4 ? QueryStringDecoder.decodeComponent(path.substring(4)) : null;
    }
    List<StreamName> streams = new ArrayList<>();
    if (list != null && !list.isEmpty()) {
      for (String name : list.split("/")) {
        if (!name.isEmpty()) {
          StreamName s = StreamName.parse(name);
          if (!streams.contains(s)) {
            streams.add(s);
          }
        }
      }
    }
    return streams;
  }

  private static void reject(HttpServerRequest req, int status, String msg) {
    req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(ControlReplies.error(ControlReplies.INVALID_REQUEST, msg, null));
  }

  private void onSockJS(SockJSSocket socket) {
    if (!admission.admitSession(socket)) {
      return;
    }
    Lease lease = node.access.admit(socket);
    if (lease == null) {
      return;
    }
    if (node.draining() || !node.tryAcquireConnection()) {
      lease.release();
      socket.close(ConflatingSender.CLOSE_TRY_AGAIN_LATER, "Service unavailable");
      return;
    }
    dispatcher.openSockJS(socket, node.sockJSStreams).lease(lease, dispatcher.context);
  }

  /** Undeploy: readiness false and upgrades refused at once, then clients drained with 1012, then the server closes. */
  @Override
  public Future<?> stop() {
    node.startDraining();
    return dispatcher.drain(node.config.drainDelayMillis(), node.config.drainWindowMillis())
        .transform(v -> ticks.unregister())
        .transform(v -> {
          node.tls().unregister(server);
          return server.shutdown(1, TimeUnit.SECONDS);
        })
        .onComplete(v -> {
          node.unregister(dispatcher);
          node.metrics.remove(dispatcher);
        });
  }
}
