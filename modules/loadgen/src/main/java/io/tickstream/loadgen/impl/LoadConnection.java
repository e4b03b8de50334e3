package io.tickstream.loadgen.impl;

import io.tickstream.common.tick.EpochMicros;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client connection and what it has seen. Lives on its lane's event loop: every method runs there.
 *
 * <p>The first tick of each symbol is the node's snapshot: its {@code pt} is when the node first received it,
 * not a live delivery, so it is counted but is not a latency sample. Every later tick is one sample of
 * {@code now - pt} in µs, and one of {@code now - ft} (the fanout node's share) when the tick carries {@code ft}.
 */
final class LoadConnection {

  /** Close code recorded when the server went away without a close frame. */
  static final int ABNORMAL_CLOSE = 1006;

  private final LaneStats stats;
  private final String mode;
  private final String[] symbols;
  private final UpdateGapCounter gaps;
  private WebSocket ws;
  private boolean closing;
  private boolean gotTicks;

  LoadConnection(LaneStats stats, String mode, String[] symbols) {
    this.stats = stats;
    this.mode = mode;
    this.symbols = symbols;
    this.gaps = new UpdateGapCounter(symbols.length);
  }

  /** The request URI for this connection's mode and symbols. */
  static String uri(String mode, String[] symbols) {
    StringBuilder streams = new StringBuilder();
    for (String s : symbols) {
      streams.append(streams.isEmpty() ? "" : "/").append(s.toLowerCase(Locale.ROOT)).append("@bookTicker");
    }
    return switch (mode) {
      case "raw" -> "/ws/" + streams;
      case "combined" -> "/stream?streams=" + streams;
      case "sockjs" -> "/sockjs/" + ThreadLocalRandom.current().nextInt(1000) + "/"
          + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + "/websocket";
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    };
  }

  Future<WebSocket> open(WebSocketClient client, LoopbackTarget target) {
    return client.connect(new WebSocketConnectOptions().setHost(target.host()).setPort(target.port())
            .setURI(uri(mode, symbols)))
        .onSuccess(w -> {
          ws = w;
          stats.opened.increment();
          stats.open.increment();
          w.textMessageHandler(mode.equals("sockjs") ? this::onSockJSFrame : this::onMessage);
          w.closeHandler(v -> {
            stats.open.decrement();
            if (!closing) {
              Short code = w.closeStatusCode();
              stats.closedBy(code == null ? ABNORMAL_CLOSE : code);
            }
          });
          w.exceptionHandler(e -> { });
        })
        .onFailure(e -> stats.connectErrors.increment());
  }

  Future<Void> close() {
    closing = true;
    WebSocket w = ws;
    return w == null || w.isClosed() ? Future.succeededFuture() : w.close((short) 1000, "load generator done");
  }

  /** SockJS websocket transport: {@code o} open, {@code h} heartbeat, {@code a[...]} messages, {@code c[code,reason]}. */
  private void onSockJSFrame(String frame) {
    if (frame.isEmpty()) {
      return;
    }
    switch (frame.charAt(0)) {
      case 'o' -> {
        JsonArray params = new JsonArray();
        for (String s : symbols) {
          params.add(s.toLowerCase(Locale.ROOT) + "@bookTicker");
        }
        String subscribe = new JsonObject().put("method", "SUBSCRIBE").put("params", params).put("id", 1).encode();
        ws.writeTextMessage(new JsonArray().add(subscribe).encode());
      }
      case 'a' -> {
        for (Object m : new JsonArray(frame.substring(1))) {
          onMessage(String.valueOf(m));
        }
      }
      case 'c' -> {
        JsonArray c = new JsonArray(frame.substring(1));
        if (!closing) {
          Integer code = c.size() > 0 && c.getValue(0) instanceof Number n ? n.intValue() : ABNORMAL_CLOSE;
          stats.closedBy(code);
          closing = true;
        }
      }
      default -> {
        // 'h': heartbeat.
      }
    }
  }

  /** One message: a tick (raw or combined), a control reply or an event. */
  void onMessage(String m) {
    int ptAt = m.indexOf(TickFields.PT);
    int sAt = ptAt < 0 ? -1 : m.indexOf(TickFields.S);
    int uAt = sAt < 0 ? -1 : m.indexOf(TickFields.U);
    int slot = uAt < 0 ? -1 : TickFields.slot(m, sAt + TickFields.S.length(), symbols);
    if (slot < 0) {
      if (m.contains("serverShutdown")) {
        stats.shutdownNotices.increment();
      } else {
        stats.otherMessages.increment();
      }
      return;
    }
    long now = EpochMicros.now();
    long u = TickFields.number(m, uAt + TickFields.U.length());
    long pt = TickFields.number(m, ptAt + TickFields.PT.length());
    stats.ticks.increment();
    if (!gotTicks) {
      gotTicks = true;
      stats.withTicks.increment();
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
      int ftAt = m.indexOf(TickFields.FT, ptAt);
      long ft = ftAt < 0 ? -1 : TickFields.number(m, ftAt + TickFields.FT.length());
      if (ft > 0) {
        stats.fanoutLatency.recordValue(Math.max(0, now - ft));
      }
    }
  }
}
