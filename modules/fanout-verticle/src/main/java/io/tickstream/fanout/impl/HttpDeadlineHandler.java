package io.tickstream.fanout.impl;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes client connections that stay plain HTTP too long: {@code fanout.handshake-timeout} from the accept until the
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
final class HttpDeadlineHandler extends ChannelDuplexHandler {

  static final String NAME = "tickstream-admission";

  private final long handshakeNanos;
  private final long idleNanos;
  private final Counter handshakeTimeouts;
  private final Counter idleTimeouts;
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

  HttpDeadlineHandler(long handshakeNanos, long idleNanos, Counter handshakeTimeouts, Counter idleTimeouts) {
    this.handshakeNanos = handshakeNanos;
    this.idleNanos = idleNanos;
    this.handshakeTimeouts = handshakeTimeouts;
    this.idleTimeouts = idleTimeouts;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    waitingSince = System.nanoTime();
    check();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest && !reading) {
      if (!waitingOnClient()) {
        // A pipelined request while a response is in flight: it gets a deadline of its own.
        waitingSince = System.nanoTime();
      }
      reading = true;
      requests++;
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
    long limit = firstRequestRead ? idleNanos : handshakeNanos;
    if (!waitingOnClient() || limit <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (now - waitingSince >= limit) {
      (firstRequestRead ? idleTimeouts : handshakeTimeouts).increment();
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
