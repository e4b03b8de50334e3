package io.tickstream.fanout.impl.server;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds a client connection while it is plain HTTP (every connection until it upgrades to a WebSocket: the board, SockJS's
 * {@code /info} and HTTP transports, 404s):
 * <ul>
 *   <li>it holds one of its client address's {@code fanout.http-connections-per-ip} slots until it closes or upgrades
 *       (the caller took it; {@link #release} gives it back once); a connection past that limit is answered 429 and
 *       closed at once, before it can hold a descriptor for a handshake timeout;</li>
 *   <li>its {@code fanout.http-max-requests-per-connection}-th request is handed on as {@code Connection: close}, so Vert.x answers it
 *       and closes: no keep-alive connection serves requests for ever;</li>
 *   <li>the deadlines below.</li>
 * </ul>
 *
 * <p>Deadlines: {@code fanout.handshake-timeout} from the accept until the
 * first request is completely read (an idle socket, a half-sent upgrade, a slowloris trickling headers or a body: the
 * deadline is absolute, bytes arriving do not extend it), and {@code fanout.http-idle-timeout} afterwards, from the end of
 * each response until the next request is completely read (an idle keep-alive connection, a slowloris on a later
 * request). While a response is in flight nothing runs: that phase is the server's (a SockJS streaming response lasts
 * minutes; its heartbeats and session timeouts are SockJS's).
 *
 * <p>It sits right before Vert.x's connection handler, so it reads decoded {@link HttpRequest}s and sees Vert.x's
 * {@link HttpResponse}s before they are encoded. It leaves the pipeline as the connection upgrades: on a 101 written
 * through it (Vert.x's {@code toWebSocket()}, SockJS's websocket transport), or when {@link WebSocketChannelUpgrade}
 * takes the channel over ({@link Admission#upgraded}). An upgraded WebSocket's liveness is ping/pong, never this.
 *
 * <p>Threading: every method runs on the channel's event loop; the one timer is scheduled there. Memory: one handler and
 * at most one scheduled task per connection, both gone once it upgrades.
 */
final class HttpConnectionGuard extends ChannelDuplexHandler {

  static final String NAME = "tickstream-admission";

  /** What every guard of a node shares: the settings and the counters. */
  record Policy(long handshakeNanos, long idleNanos, long maxRequests, Counter handshakeTimeouts, Counter idleTimeouts,
                Counter tooMany, byte[] tooManyBody) {
  }

  private final Policy policy;
  /** Gives the address's slot back; null once given back (or when the connection holds none). */
  private Runnable release;
  /** Answer 429 and close at once: the address holds all its slots. */
  private final boolean refuse;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> timer;
  /** Since when the connection waits for the client: from the accept, or since its last exchange completed. */
  private long waitingSince;
  private boolean firstRequestRead;
  /** A request has begun and its last content has not been read yet. */
  private boolean reading;
  /** Requests begun, and final responses ended (Vert.x may answer before it has read a request's body). */
  private long requests;
  private long responses;
  private boolean done;

  /**
   * @param release gives the connection's slot of its address back (null: it holds none)
   * @param refuse the address has no slot left: answer 429 and close
   */
  HttpConnectionGuard(Policy policy, Runnable release, boolean refuse) {
    this.policy = policy;
    this.release = release;
    this.refuse = refuse;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (refuse) {
      done = true;
      policy.tooMany().increment();
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS,
          Unpooled.wrappedBuffer(policy.tooManyBody()));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .set(HttpHeaderNames.CONTENT_LENGTH, policy.tooManyBody().length)
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    waitingSince = System.nanoTime();
    check();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
    if (release != null) {
      Runnable r = release;
      release = null;
      r.run();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (refuse) {
      // Answered 429 and closing: nothing reaches Vert.x.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request && !reading) {
      if (!waitingOnClient()) {
        // A pipelined request while a response is in flight: it gets a deadline of its own.
        waitingSince = System.nanoTime();
      }
      reading = true;
      requests++;
      if (policy.maxRequests() > 0 && requests >= policy.maxRequests()) {
        // The last one this connection serves: Vert.x answers it with Connection: close and closes.
        HttpUtil.setKeepAlive(request, false);
      }
    }
    if (msg instanceof LastHttpContent && reading) {
      reading = false;
      firstRequestRead = true;
      if (responses >= requests) {
        // Answered before its body was read (a refusal): the exchange ends here.
        waitingSince = System.nanoTime();
      }
      check();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    boolean upgrade = false;
    boolean informational = false;
    if (msg instanceof HttpResponse r) {
      upgrade = r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
      // 100 Continue is a whole response object but not the request's answer: the final one is still to come.
      informational = r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
    if (msg instanceof LastHttpContent && !informational && responses < requests) {
      responses++;
      if (!reading && responses == requests) {
        waitingSince = System.nanoTime();
        check();
      }
    }
    ctx.write(msg, promise);
    if (upgrade) {
      ctx.pipeline().remove(this);
    }
  }

  private boolean waitingOnClient() {
    return reading || responses >= requests;
  }

  private void onTimer() {
    timer = null;
    check();
  }

  /** Closes the connection if its deadline passed, else (re)schedules the next look at it. */
  private void check() {
    if (done) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    // A response in flight is the server's to finish (SockJS streams for minutes): no deadline until it has ended.
    long limit = firstRequestRead ? policy.idleNanos() : policy.handshakeNanos();
    if (!waitingOnClient() || limit <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (now - waitingSince >= limit) {
      (firstRequestRead ? policy.idleTimeouts() : policy.handshakeTimeouts()).increment();
      stop();
      ctx.close();
      return;
    }
    timer = ctx.executor().schedule(this::onTimer, waitingSince + limit - now, TimeUnit.NANOSECONDS);
  }

  private void stop() {
    done = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
