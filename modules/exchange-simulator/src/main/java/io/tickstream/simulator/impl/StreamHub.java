package io.tickstream.simulator.impl;

import io.netty.buffer.ByteBuf;
import io.tickstream.common.stream.StreamName;
import io.tickstream.simulator.SimulatorFaults.MalformedFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The open connections and what flows to them: ticks (encoded once per framing, flushed once per batch),
 * control replies, pings, events and injected faults; and the connection rules (message rate, pong timeout,
 * lifetime, slow consumers).
 *
 * <p><b>Threading:</b> every method runs on the simulator's context, the same event loop the HTTP server
 * and all its connections use; nothing here is thread-safe and nothing needs to be.
 */
final class StreamHub {

  private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);

  /** Supplies one message in both framings; called at most once each per {@link #publish}. */
  interface Frames {
    byte[] raw();

    byte[] combined();
  }

  final SubscriberRegistry registry;
  private final Limits limits;
  private final ControlProtocol control = new ControlProtocol(this);
  private final Set<StreamConnection> connections = new LinkedHashSet<>();
  private final List<StreamConnection> dirty = new ArrayList<>();
  private long nextId;
  private long maxLifetimeNanos;

  /** Per-connection rules, fixed at start-up except the lifetime. */
  record Limits(Duration pingInterval, Duration pongTimeout, int maxStreams, int maxMessagesPerSecond,
                long maxPendingBytes) {
  }

  StreamHub(SubscriberRegistry registry, Limits limits, Duration maxLifetime) {
    this.registry = registry;
    this.limits = limits;
    this.maxLifetimeNanos = maxLifetime.toNanos();
  }

  int maxStreams() {
    return limits.maxStreams;
  }

  int connectionCount() {
    return connections.size();
  }

  void maxLifetime(Duration lifetime) {
    maxLifetimeNanos = lifetime.toNanos();
    housekeeping(System.nanoTime());
  }

  /** Takes over an accepted WebSocket subscribed to {@code streams} (already validated). */
  void open(ServerWebSocket ws, String remoteHost, boolean combined, boolean microseconds, List<StreamName> streams) {
    long now = System.nanoTime();
    StreamConnection c = new StreamConnection(++nextId, ws, remoteHost, combined, microseconds, now,
        limits.pingInterval.toNanos(), limits.maxMessagesPerSecond);
    connections.add(c);
    subscribe(c, streams);
    Buffer[] partial = new Buffer[1];
    ws.frameHandler(frame -> onFrame(c, frame, partial));
    ws.exceptionHandler(e -> LOG.debug("connection {}: {}", c.id, e.toString()));
    ws.closeHandler(v -> closed(c));
  }

  /**
   * Every incoming frame passes here before anything acts on it, so the message limit is enforced before a
   * message over it is answered. Vert.x answers pings itself; they still count.
   */
  private void onFrame(StreamConnection c, WebSocketFrame frame, Buffer[] partial) {
    if (c.closing || frame.isClose()) {
      return;
    }
    boolean message = frame.isFinal() || frame.type() == io.vertx.core.http.WebSocketFrameType.PING
        || frame.type() == io.vertx.core.http.WebSocketFrameType.PONG;
    long now = System.nanoTime();
    if (message && !c.admitIncoming(now)) {
      c.close(1008, "Too many messages");
      return;
    }
    switch (frame.type()) {
      case PONG -> c.acceptPong(frame.binaryData().toString(StandardCharsets.US_ASCII), now);
      case TEXT -> {
        if (frame.isFinal()) {
          c.sendNow(control.handle(c, frame.textData()));
        } else {
          partial[0] = frame.binaryData().copy();
        }
      }
      case CONTINUATION -> {
        if (partial[0] != null) {
          partial[0].appendBuffer(frame.binaryData());
          if (frame.isFinal()) {
            String text = partial[0].toString(StandardCharsets.UTF_8);
            partial[0] = null;
            c.sendNow(control.handle(c, text));
          }
        }
      }
      default -> {
        // binary messages and pings: counted, otherwise ignored (Vert.x has answered the ping)
      }
    }
  }

  private void closed(StreamConnection c) {
    c.closing = true;
    connections.remove(c);
    for (String symbol : c.subscriptions.values()) {
      registry.forSymbol(symbol).remove(c);
    }
    c.subscriptions.clear();
  }

  /** Adds {@code streams} unless that would exceed the limit; then nothing changes and it returns false. */
  boolean subscribe(StreamConnection c, List<StreamName> streams) {
    int added = 0;
    for (StreamName s : streams) {
      if (!c.subscriptions.containsKey(s.toString())) {
        added++;
      }
    }
    if (c.subscriptions.size() + added > limits.maxStreams) {
      return false;
    }
    for (StreamName s : streams) {
      if (c.subscriptions.putIfAbsent(s.toString(), s.symbol()) == null) {
        registry.forSymbol(s.symbol()).add(c);
      }
    }
    return true;
  }

  void unsubscribe(StreamConnection c, List<StreamName> streams) {
    for (StreamName s : streams) {
      if (c.subscriptions.remove(s.toString()) != null) {
        registry.forSymbol(s.symbol()).remove(c);
      }
    }
  }

  /**
   * Writes one message to {@code subscribers} in each one's framing, encoding each framing at most once;
   * nothing is flushed until {@link #flushAll}.
   */
  void publish(List<StreamConnection> subscribers, Frames frames) {
    ByteBuf raw = null;
    ByteBuf combined = null;
    for (int i = 0, n = subscribers.size(); i < n; i++) {
      StreamConnection c = subscribers.get(i);
      if (c.stalled || !c.writable()) {
        continue;
      }
      ByteBuf frame;
      if (c.combined) {
        frame = combined == null ? (combined = TextFrames.text(frames.combined())) : combined;
      } else {
        frame = raw == null ? (raw = TextFrames.text(frames.raw())) : raw;
      }
      c.write(frame);
      MalformedFrame fault = c.pollMalformed();
      if (fault != null) {
        ByteBuf bad = TextFrames.text(malformed(fault, c.combined,
            c.subscriptions.isEmpty() ? "bnbusdt@bookTicker" : c.subscriptions.keySet().iterator().next()));
        c.write(bad);
        bad.release();
      }
      if (!c.dirty) {
        c.dirty = true;
        dirty.add(c);
      }
    }
    if (raw != null) {
      raw.release();
    }
    if (combined != null) {
      combined.release();
    }
  }

  /** Writes a message as it is to every connection (replayed frames that name no symbol). */
  void publishToAll(byte[] text) {
    publish(new ArrayList<>(connections), new Frames() {
      @Override
      public byte[] raw() {
        return text;
      }

      @Override
      public byte[] combined() {
        return text;
      }
    });
  }

  /** One flush per connection written to since the last call; closes connections that cannot keep up. */
  void flushAll() {
    for (int i = 0, n = dirty.size(); i < n; i++) {
      StreamConnection c = dirty.get(i);
      c.flush();
      if (c.pendingBytes() > limits.maxPendingBytes) {
        LOG.info("connection {} from {} closed: more than {} bytes unsent", c.id, c.remoteHost, limits.maxPendingBytes);
        c.close(1008, "Slow consumer");
      }
    }
    dirty.clear();
  }

  /** Pings, pong timeouts and lifetimes; run periodically. */
  void housekeeping(long now) {
    List<StreamConnection> expired = null;
    List<StreamConnection> silent = null;
    for (StreamConnection c : connections) {
      if (c.closing) {
        continue;
      }
      if (now - c.openedAtNanos >= maxLifetimeNanos) {
        (expired == null ? expired = new ArrayList<>() : expired).add(c);
        continue;
      }
      if (c.stalled) {
        continue;
      }
      if (now - c.lastPongOkNanos >= limits.pongTimeout.toNanos()) {
        (silent == null ? silent = new ArrayList<>() : silent).add(c);
        continue;
      }
      if (now >= c.nextPingAtNanos) {
        c.nextPingAtNanos = now + limits.pingInterval.toNanos();
        c.ws.writePing(Buffer.buffer(c.nextPingPayload()));
      }
    }
    if (expired != null) {
      expired.forEach(c -> c.close(1001, "Connection lifetime expired"));
    }
    if (silent != null) {
      silent.forEach(c -> c.close(1008, "Pong timeout"));
    }
  }

  /** Sends Binance's {@code serverShutdown} event to every connection; returns them. */
  List<StreamConnection> serverShutdown() {
    long millis = System.currentTimeMillis();
    List<StreamConnection> all = new ArrayList<>(connections);
    for (StreamConnection c : all) {
      String event = "{\"e\":\"serverShutdown\",\"E\":" + (c.microseconds ? millis * 1000 : millis) + "}";
      c.sendNow(c.combined ? "{\"stream\":\"!serverShutdown\",\"data\":" + event + "}" : event);
    }
    return all;
  }

  List<StreamConnection> snapshot() {
    return new ArrayList<>(connections);
  }

  int dropAll() {
    List<StreamConnection> all = snapshot();
    all.forEach(StreamConnection::abort);
    return all.size();
  }

  int stallAll(boolean stall) {
    long now = System.nanoTime();
    for (StreamConnection c : connections) {
      if (c.stalled && !stall) {
        c.lastPongOkNanos = now;
        c.nextPingAtNanos = now + limits.pingInterval.toNanos();
      }
      c.stalled = stall;
    }
    return connections.size();
  }

  int addMalformed(MalformedFrame kind, int count) {
    connections.forEach(c -> c.addMalformed(kind, count));
    return connections.size();
  }

  void closeAll(int code, String reason) {
    snapshot().forEach(c -> c.close(code, reason));
  }

  static String malformed(MalformedFrame kind, boolean combined, String stream) {
    String body = switch (kind) {
      case GARBAGE -> "}{ not json: <<garbage>> ~~";
      case TRUNCATED_JSON -> "{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.3519";
      case WRONG_TYPE -> "{\"u\":\"400900217\",\"s\":42,\"b\":25.3519,\"B\":null,\"a\":[\"25.3652\"],\"A\":{}}";
    };
    return combined && kind != MalformedFrame.GARBAGE ? "{\"stream\":\"" + stream + "\",\"data\":" + body + "}" : body;
  }
}
