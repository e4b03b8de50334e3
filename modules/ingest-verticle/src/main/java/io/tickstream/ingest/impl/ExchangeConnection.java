package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.Counter;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.common.tick.EpochMicros;
import io.tickstream.common.tick.MalformedTickException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One open combined-stream WebSocket to the exchange: decodes frames, stamps {@code pt}, and tells its
 * {@link SymbolChunk} about ticks, {@code serverShutdown} and the close.
 *
 * <p>Threading: created and used only on its chunk's context. Pings are answered by Vert.x itself, which
 * echoes the payload as Binance requires; no client-side ping timeout exists, so the ingest never gives up
 * on a connection faster than the exchange's own ping interval (the data watchdog covers silent streams).
 */
final class ExchangeConnection {

  interface Listener {
    void onTick(ExchangeConnection connection, BookTicker tick);

    void onServerShutdown(ExchangeConnection connection);

    void onClosed(ExchangeConnection connection, String cause);
  }

  private final int id;
  private final WebSocket ws;
  private final Listener listener;
  private final IngestDrops drops;
  private final Counter framesIn;
  private final TickRecorder recorder;
  /** Streams this connection carries: its URL's, then whatever control messages added or removed. */
  private final Set<String> subscribed;
  private final long openedAtNanos = System.nanoTime();
  private long lastTickNanos = openedAtNanos;
  private boolean ticked;
  private boolean retired;
  private boolean shutdownAnnounced;
  private long nextRequestId = 1;

  ExchangeConnection(int id, WebSocket ws, Collection<String> streams, Listener listener, IngestDrops drops,
                     Counter framesIn, TickRecorder recorder) {
    this.id = id;
    this.ws = ws;
    this.listener = listener;
    this.drops = drops;
    this.framesIn = framesIn;
    this.recorder = recorder;
    this.subscribed = new LinkedHashSet<>(streams);
    ws.handler(this::onFrame);
    ws.closeHandler(v -> listener.onClosed(this, "closed by exchange (" + ws.closeStatusCode() + ")"));
    ws.exceptionHandler(e -> {
      drops.logConnectionError(id, e);
      ws.close();
    });
  }

  private void onFrame(Buffer frame) {
    long pt = EpochMicros.now();
    framesIn.increment();
    if (recorder != null) {
      recorder.record(pt, frame.toString(StandardCharsets.UTF_8));
    }
    BookTicker tick;
    try {
      tick = BookTickerDecoder.decode(frame);
    } catch (MalformedTickException e) {
      if (e.reason() == MalformedTickException.Reason.NOT_A_TICK && handleNonTick(frame)) {
        return;
      }
      drops.malformed(e, frame);
      return;
    }
    lastTickNanos = System.nanoTime();
    ticked = true;
    listener.onTick(this, tick.withReceiveTime(pt));
  }

  /** Control replies and events: rare, so parsed into a tree. Returns false if the frame is none of them. */
  private boolean handleNonTick(Buffer frame) {
    JsonObject json;
    try {
      json = new JsonObject(frame);
    } catch (RuntimeException e) {
      return false;
    }
    if (json.containsKey("id") && (json.containsKey("result") || json.containsKey("error"))) {
      if (json.containsKey("error")) {
        drops.logControlError(id, json);
      }
      return true;
    }
    JsonObject event = json.getValue("data") instanceof JsonObject data ? data : json;
    if ("serverShutdown".equals(event.getString("e"))) {
      shutdownAnnounced = true;
      listener.onServerShutdown(this);
      return true;
    }
    return false;
  }

  /** Sends a live SUBSCRIBE or UNSUBSCRIBE and records the change. Callers respect the message rate. */
  void control(String method, Collection<String> streams) {
    ws.writeTextMessage(new JsonObject().put("method", method).put("params", new JsonArray(java.util.List.copyOf(streams)))
        .put("id", nextRequestId++).encode());
    if (method.equals("SUBSCRIBE")) {
      subscribed.addAll(streams);
    } else {
      subscribed.removeAll(streams);
    }
  }

  /** Closes without reporting it as a failure: a successor took over. */
  void retire() {
    retired = true;
    ws.close((short) 1000, "replaced");
  }

  /** The exchange announced it will close this connection ({@code serverShutdown}). */
  boolean isShutdownAnnounced() {
    return shutdownAnnounced;
  }

  boolean isRetired() {
    return retired;
  }

  boolean hasTicked() {
    return ticked;
  }

  long nanosSinceLastTick(long nowNanos) {
    return nowNanos - lastTickNanos;
  }

  long ageNanos(long nowNanos) {
    return nowNanos - openedAtNanos;
  }

  Set<String> subscribed() {
    return subscribed;
  }

  int id() {
    return id;
  }

  boolean isClosed() {
    return ws.isClosed();
  }
}
