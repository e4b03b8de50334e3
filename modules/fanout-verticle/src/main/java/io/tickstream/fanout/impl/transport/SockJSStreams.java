package io.tickstream.fanout.impl.transport;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which connection each SockJS session's HTTP streaming transport (xhr-streaming, eventsource, htmlfile) streams on
 * now, so that its sink can bound what that connection holds unsent ({@link SockJSSink#streamOn}) as a WebSocket's does.
 *
 * <p>Why: those transports end a response after 128 KiB and the client opens the next request, on a new connection
 * (SockJS closes the old one), so a session's socket changes about once a second at 1 Mbit/s. With only the kernel's
 * {@code TCP_NOTSENT_LOWAT} on them, Linux let each socket hold 16 KB plus up to a segment unsent: measured at 1 Mbit/s,
 * xhr-streaming p50 0.8 s, p99 1.0 s against the WebSocket's 0.3 s and 0.4 s (docs/benchmarks.md, "Slow links").
 *
 * <p>Node-wide: SockJS keeps its sessions in one map for every server instance, and a session's next request may
 * arrive on any of them. Threading: {@link #onRequest} on the request's event loop; {@link #open} and {@link #close}
 * on the session's dispatcher loop; the map is concurrent and the sink takes the channel on its own loop.
 */
public final class SockJSStreams {

  /** The routing context's key for the streaming request's channel (read by {@link #open} on a session's first). */
  private static final String CHANNEL = "tickstream.sockjs.stream";

  private final ConcurrentHashMap<String, SockJSSink> sinks = new ConcurrentHashMap<>();

  /**
   * A route handler in front of SockJS's: a streaming request of a session that exists moves that session's sink to
   * the request's connection; a session's first request leaves the connection for {@link #open}.
   */
  public void onRequest(RoutingContext rc) {
    String session = streamingSession(rc.request().path());
    if (session != null) {
      Channel channel = channel(rc.request().connection());
      if (channel != null) {
        rc.put(CHANNEL, channel);
        SockJSSink sink = sinks.get(session);
        if (sink != null) {
          sink.streamOn(channel);
        }
      }
    }
    rc.next();
  }

  /** A session opened with {@code sink}: its first request's connection, if a streaming one, is bounded from now. */
  public void open(SockJSSocket socket, SockJSSink sink) {
    String session = streamingSession(socket.uri());
    if (session == null) {
      return;
    }
    sinks.put(session, sink);
    Channel channel = socket.routingContext() == null ? null : socket.routingContext().get(CHANNEL);
    if (channel != null) {
      sink.streamOn(channel);
    }
  }

  public void close(SockJSSocket socket) {
    String session = streamingSession(socket.uri());
    if (session != null) {
      sinks.remove(session);
    }
  }

  /** The session id of {@code /<prefix>/<server>/<session>/<streaming transport>}, or null for any other path. */
  static String streamingSession(String path) {
    if (path == null) {
      return null;
    }
    int query = path.indexOf('?');
    String p = query < 0 ? path : path.substring(0, query);
    int last = p.lastIndexOf('/');
    if (last <= 0) {
      return null;
    }
    String transport = p.substring(last + 1);
    if (!transport.equals("xhr_streaming") && !transport.equals("eventsource") && !transport.equals("htmlfile")) {
      return null;
    }
    int before = p.lastIndexOf('/', last - 1);
    return before < 0 || before + 1 == last ? null : p.substring(before + 1, last);
  }

  private static Channel channel(HttpConnection connection) {
    return connection instanceof HttpServerConnection http ? http.channelHandlerContext().channel() : null;
  }
}
