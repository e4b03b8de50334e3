package io.tickstream.loadgen.impl;

import io.tickstream.common.tick.EpochMicros;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client connection and what it has seen. Lives on its lane's event loop: every method runs there.
 *
 * <p>The first tick of each symbol is the node's snapshot: its {@code pt} is when the node first received it,
 * not a live delivery, so it is counted but is not a latency sample. Every later tick is one sample of
 * {@code now - pt} in µs, and one of {@code now - ft} (the fanout node's share) when the tick carries {@code ft}.
 *
 * <h2>Stalling</h2>
 * A connection made to stall ({@code loadgen.stalled-percent}) counts its first tick and then calls
 * {@link WebSocket#pause()}, and measures nothing more. In Vert.x 5 that stops the socket being read, not only
 * the handler being called: frames then pile up in the WebSocket's inbound queue, past its high-water mark (16)
 * the connection is paused, past 8 more frames it turns Netty's auto-read off, and from then on the kernel's
 * receive buffer fills, the TCP window closes and the node's send buffer and write queue fill, which is what a
 * client that stopped reading does to a server. Its closes by the server are counted apart, in
 * {@link LaneStats#stalledClosesByCode}.
 *
 * <p>A close frame the node sends it waits behind what it did not read, so at the end of the run such a
 * connection reads again (without measuring) and pings: the node's close frame, if it sent one, arrives before
 * the pong; the pong, or {@link #VERDICT_TIMEOUT_MILLIS}, means it did not.
 */
final class LoadConnection {

  /** Close code recorded when the server went away without a close frame. */
  static final int ABNORMAL_CLOSE = 1006;
  /** At the end, how long a stalled connection reads its backlog waiting for the node's close or pong. */
  static final long VERDICT_TIMEOUT_MILLIS = 10_000;
  private static final Buffer PING = Buffer.buffer("loadgen");
  /** {@code loadgen.mode} of SockJS's xhr-streaming transport (an HTTP response that streams, sends by POST). */
  static final String SOCKJS_XHR = "sockjs-xhr";
  /** Every symbol, conflated by the node: what a dashboard subscribes to. */
  static final String ALL_SYMBOLS_STREAM = "!bookTicker";

  private final LaneStats stats;
  private final String mode;
  private final String[] symbols;
  /** The symbols as the ASCII bytes a frame carries them in; empty for {@code !bookTicker}. */
  private final byte[][] symbolBytes;
  /** Every symbol of the run when this connection subscribes to {@code !bookTicker}, else null. */
  private final SymbolIndex allSymbols;
  private final ReceiveBuffer receive;
  private final UpdateGapCounter gaps;
  /** {@code pt} of the newest tick of each symbol slot, for the view age ({@code loadgen.view-age}); else null. */
  private final long[] viewPt;
  /** Meant to stop reading after its first tick. */
  private final boolean stalls;
  private WebSocket ws;
  /** The xhr-streaming session: its client, target and base path, and the response streaming now. */
  private HttpClient http;
  private LocalTarget xhrTarget;
  private String xhrBase;
  private HttpClientResponse xhrStream;
  private final StringBuilder xhrPartial = new StringBuilder();
  private boolean xhrOpened;
  /** The session's SUBSCRIBE went out (once per session, whatever its transport sends). */
  private boolean xhrSubscribed;
  private boolean closing;
  private boolean gotTicks;
  /** Has stopped reading: nothing it receives from now on is measured. */
  private boolean stalled;
  /** Completed by the node's close or pong once a stalled connection reads again at the end. */
  private Promise<Void> verdict;
  /** Completed by the close handler. */
  private final Promise<Void> ended = Promise.promise();

  /**
   * @param symbols the symbols it subscribes to, or null for {@code !bookTicker}
   * @param allSymbols every symbol of the run, to tell them apart in a {@code !bookTicker} stream; used only when
   *     {@code symbols} is null
   */
  LoadConnection(LaneStats stats, ReceiveBuffer receive, String mode, String[] symbols, SymbolIndex allSymbols,
                 boolean stalls, boolean viewAge) {
    this.stats = stats;
    this.receive = receive;
    this.mode = mode;
    this.symbols = symbols;
    this.allSymbols = symbols == null ? allSymbols : null;
    if (symbols == null && allSymbols == null) {
      throw new IllegalArgumentException("a !bookTicker connection needs the index of every symbol");
    }
    this.symbolBytes = new byte[symbols == null ? 0 : symbols.length][];
    for (int i = 0; i < symbolBytes.length; i++) {
      symbolBytes[i] = TickFields.ascii(symbols[i]);
    }
    this.stalls = stalls;
    // One last u per symbol it can receive: for !bookTicker every symbol of the run (8 bytes each).
    this.gaps = new UpdateGapCounter(symbols == null ? allSymbols.size() : symbols.length);
    this.viewPt = viewAge && !stalls ? new long[symbols == null ? allSymbols.size() : symbols.length] : null;
  }

  /** Records {@code now - pt} of the newest tick of every symbol this connection has received (its view's age). */
  void sampleViewAge(long nowMicros) {
    if (viewPt == null || stalled || closing) {
      return;
    }
    for (long pt : viewPt) {
      if (pt > 0) {
        stats.viewAge.recordValue(Math.max(0, nowMicros - pt));
      }
    }
  }

  /** The stream names of a connection of {@code symbols}, or {@code !bookTicker} alone when they are null. */
  static String[] streams(String[] symbols) {
    if (symbols == null) {
      return new String[] {ALL_SYMBOLS_STREAM};
    }
    String[] out = new String[symbols.length];
    for (int i = 0; i < symbols.length; i++) {
      out[i] = symbols[i].toLowerCase(Locale.ROOT) + "@bookTicker";
    }
    return out;
  }

  /** The request URI for this connection's mode and symbols (null: {@code !bookTicker}). */
  static String uri(String mode, String[] symbols) {
    String streams = String.join("/", streams(symbols));
    return switch (mode) {
      case "raw" -> "/ws/" + streams;
      case "combined" -> "/stream?streams=" + streams;
      case "sockjs" -> "/sockjs/" + ThreadLocalRandom.current().nextInt(1000) + "/"
          + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + "/websocket";
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    };
  }

  Future<WebSocket> open(WebSocketClient client, LocalTarget target) {
    return client.connect(new WebSocketConnectOptions().setHost(target.host()).setPort(target.port())
            .setURI(uri(mode, symbols)))
        .onSuccess(w -> {
          ws = w;
          stats.opened.increment();
          stats.open.increment();
          if (mode.equals("sockjs")) {
            w.textMessageHandler(this::onSockJSFrame);
          } else {
            // The data handler gets each frame's payload as a Buffer: no String decoded, no message aggregated.
            // The node sends every message as one unfragmented frame, so a frame is a message.
            w.handler(this::onFrame);
          }
          w.closeHandler(v -> {
            stats.open.decrement();
            if (!closing) {
              Short code = w.closeStatusCode();
              closedBy(code == null ? ABNORMAL_CLOSE : code);
            }
            if (verdict != null) {
              verdict.tryComplete();
            }
            ended.tryComplete();
          });
          w.exceptionHandler(e -> { });
        })
        .onFailure(e -> stats.connectErrors.increment());
  }

  /**
   * Opens a SockJS xhr-streaming session ({@code POST <server>/<session>/xhr_streaming}): frames arrive as lines of
   * the response body, the SUBSCRIBE goes by {@code xhr_send}. SockJS ends a streaming response after 128 KiB; the
   * session goes on in the next one, which this opens at once, as sockjs-client does.
   */
  void openXhr(HttpClient client, LocalTarget target) {
    http = client;
    xhrTarget = target;
    xhrBase = "/sockjs/" + ThreadLocalRandom.current().nextInt(1000) + "/"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + "/";
    xhrStream();
  }

  private void xhrStream() {
    http.request(HttpMethod.POST, xhrTarget.port(), xhrTarget.host(), xhrBase + "xhr_streaming")
        .compose(HttpClientRequest::send)
        .onSuccess(resp -> {
          if (resp.statusCode() != 200) {
            xhrFailed();
            return;
          }
          if (!xhrOpened) {
            xhrOpened = true;
            stats.opened.increment();
            stats.open.increment();
          }
          xhrStream = resp;
          if (stalled) {
            resp.pause();
          }
          resp.handler(this::onXhrChunk);
          resp.exceptionHandler(e -> xhrFailed());
          resp.endHandler(v -> {
            if (!closing) {
              xhrStream();
            } else {
              xhrEnded();
            }
          });
        })
        .onFailure(e -> xhrFailed());
  }

  private void xhrFailed() {
    if (!xhrOpened) {
      stats.connectErrors.increment();
      ended.tryComplete();
    } else if (!closing) {
      closing = true;
      closedBy(ABNORMAL_CLOSE);
      xhrEnded();
    } else {
      xhrEnded();
    }
  }

  private void xhrEnded() {
    if (xhrOpened && ended.tryComplete()) {
      stats.open.decrement();
    }
    if (verdict != null) {
      verdict.tryComplete();
    }
  }

  /** Lines of the streaming response: the prelude of {@code h}s, {@code o}, {@code a[...]}, {@code h}, {@code c[...]}. */
  private void onXhrChunk(Buffer chunk) {
    xhrPartial.append(chunk.toString(StandardCharsets.UTF_8));
    int nl;
    while ((nl = xhrPartial.indexOf("\n")) >= 0) {
      String line = xhrPartial.substring(0, nl);
      xhrPartial.delete(0, nl + 1);
      onSockJSFrame(line);
    }
  }

  /** One client message in SockJS's framing (a JSON array of strings), over the session's transport. */
  private void sendSockJS(String message) {
    String frame = new JsonArray().add(message).encode();
    if (ws != null) {
      ws.writeTextMessage(frame);
    } else if (http != null) {
      http.request(HttpMethod.POST, xhrTarget.port(), xhrTarget.host(), xhrBase + "xhr_send")
          .compose(req -> req.putHeader("Content-Type", "text/plain").send(frame)).onFailure(e -> { });
    }
  }

  /**
   * Closes with 1000. A stalled connection first reads its backlog to learn whether the node closed it (see the
   * class comment); that can take up to {@link #VERDICT_TIMEOUT_MILLIS}.
   */
  Future<Void> close(Vertx vertx) {
    if (http != null) {
      closing = true;
      HttpClientResponse s = xhrStream;
      if (s == null || ended.future().isComplete()) {
        ended.tryComplete();
      } else {
        s.request().connection().close().onComplete(v -> xhrEnded());
      }
      return ended.future();
    }
    WebSocket w = ws;
    if (!stalled || w == null || w.isClosed()) {
      return closeNow();
    }
    verdict = Promise.promise();
    long timer = vertx.setTimer(VERDICT_TIMEOUT_MILLIS, id -> verdict.tryComplete());
    w.pongHandler(pong -> verdict.tryComplete());
    w.resume();
    w.writePing(PING);
    return verdict.future().compose(v -> {
      vertx.cancelTimer(timer);
      return closeNow();
    });
  }

  /** Completes once the close handler has run, so whatever it counts is in before the totals are taken. */
  private Future<Void> closeNow() {
    WebSocket w = ws;
    if (w == null) {
      return Future.succeededFuture();
    }
    if (!w.isClosed()) {
      closing = true;
      w.close((short) 1000, "load generator done");
    }
    // else closed, or the node's close frame is in and the close handler counts it when the connection ends.
    return ended.future();
  }

  private void closedBy(int code) {
    if (stalls) {
      stats.stalledClosedBy(code);
    } else {
      stats.closedBy(code);
    }
  }

  /** SockJS websocket transport: {@code o} open, {@code h} heartbeat, {@code a[...]} messages, {@code c[code,reason]}. */
  private void onSockJSFrame(String frame) {
    if (frame.isEmpty()) {
      return;
    }
    switch (frame.charAt(0)) {
      case 'o' -> {
        JsonArray params = new JsonArray();
        for (String s : streams(symbols)) {
          params.add(s);
        }
        if (!xhrSubscribed) {
          xhrSubscribed = true;
          sendSockJS(new JsonObject().put("method", "SUBSCRIBE").put("params", params).put("id", 1).encode());
        }
      }
      case 'a' -> {
        if (!stalled) {
          for (Object m : new JsonArray(frame.substring(1))) {
            byte[] b = String.valueOf(m).getBytes(StandardCharsets.UTF_8);
            onMessage(b, b.length);
            if (stalled) {
              break;
            }
          }
        }
      }
      case 'c' -> {
        JsonArray c = new JsonArray(frame.substring(1));
        if (!closing) {
          Integer code = c.size() > 0 && c.getValue(0) instanceof Number n ? n.intValue() : ABNORMAL_CLOSE;
          closedBy(code);
          closing = true;
        }
      }
      default -> {
        // 'h': heartbeat.
      }
    }
  }

  /** One frame of a raw or combined connection. Allocates nothing: the bytes are parsed in the lane's buffer. */
  private void onFrame(Buffer frame) {
    if (stalled) {
      return;
    }
    byte[] m = receive.load(frame);
    onMessage(m, receive.length());
  }

  /**
   * One message, {@code m[0, len)}: a tick (raw or combined), a control reply or an event. Reads only what it
   * measures ({@code u}, {@code s}, {@code pt}, {@code ft}) by position; allocates nothing.
   */
  void onMessage(byte[] m, int len) {
    if (stalled) {
      return;
    }
    int uEnd = TickFields.after(m, len, TickFields.U, 0);
    // "s" follows u's digits and a comma; pt and ft close the message: found from the end, past the prices.
    int sEnd = uEnd < 0 ? -1 : TickFields.after(m, len, TickFields.S, TickFields.skipNumber(m, len, uEnd) + 1);
    int ptEnd = sEnd < 0 ? -1 : TickFields.before(m, len, TickFields.PT, sEnd);
    if (ptEnd < 0 && sEnd >= 0) {
      ptEnd = TickFields.after(m, len, TickFields.PT, 0);
    }
    int slot = ptEnd < 0 ? -1
        : allSymbols != null ? allSymbols.slot(m, len, sEnd) : TickFields.slot(m, len, sEnd, symbolBytes);
    if (slot < 0) {
      if (stalls) {
        return;
      } else if (TickFields.indexOf(m, len, TickFields.SERVER_SHUTDOWN, 0) >= 0) {
        stats.shutdownNotices.increment();
      } else {
        stats.otherMessages.increment();
      }
      return;
    }
    if (stalls) {
      stopReading();
      return;
    }
    long now = EpochMicros.now();
    long u = TickFields.number(m, len, uEnd);
    long pt = TickFields.number(m, len, ptEnd);
    stats.ticks.increment();
    countFirstTick();
    if (viewPt != null && pt > viewPt[slot]) {
      viewPt[slot] = pt;
    }
    long gap = gaps.gap(slot, u);
    if (gap == UpdateGapCounter.FIRST) {
      stats.snapshots.increment();
    } else if (gap == UpdateGapCounter.NOT_ADVANCED) {
      stats.notAdvanced.increment();
    } else {
      if (gap > 0) {
        stats.conflated.add(gap);
      }
      stats.latency.recordValue(Math.max(0, now - pt));
      int ftEnd = TickFields.before(m, len, TickFields.FT, ptEnd);
      long ft = ftEnd < 0 ? -1 : TickFields.number(m, len, ftEnd);
      if (ft > 0) {
        stats.fanoutLatency.recordValue(Math.max(0, now - ft));
      }
    }
  }

  private void countFirstTick() {
    if (!gotTicks) {
      gotTicks = true;
      stats.withTicks.increment();
    }
  }

  /** The first tick of a connection meant to stall: counted apart, then the socket is no longer read. */
  private void stopReading() {
    countFirstTick();
    stats.stalledTicks.increment();
    stats.stalled.increment();
    stalled = true;
    if (ws != null) {
      ws.pause();
    } else if (xhrStream != null) {
      xhrStream.pause();
    }
  }
}
