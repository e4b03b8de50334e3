package io.tickstream.fanout.impl;

import io.tickstream.common.stream.InvalidStreamNameException;
import io.tickstream.common.stream.StreamName;
import io.tickstream.fanout.impl.ControlMessages.RejectedException;
import io.tickstream.fanout.impl.ControlMessages.Request;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One client connection (WebSocket or SockJS): its subscriptions, its {@code combined} property, the
 * Binance control protocol, the incoming-message rate limit and ping liveness. Its ticks go through its
 * {@link ConflatingSender}.
 *
 * <p>Threading: confined to the event loop of its {@link LoopDispatcher}; every handler the transport calls
 * runs there. Size: a handful of fields, a map of its subscriptions, and the sender's backlog only once it
 * fell behind.
 */
final class ClientSession {

  static final short CLOSE_POLICY_VIOLATION = 1008;
  static final short CLOSE_UNSUPPORTED_DATA = 1003;
  static final short CLOSE_SERVICE_RESTART = 1012;
  static final short CLOSE_MESSAGE_TOO_BIG = 1009;

  final LoopDispatcher loop;
  final FrameSink sink;
  final ConflatingSender sender;
  final boolean webSocket;
  boolean combined;
  boolean closed;
  int index = -1;
  long lastPongMillis;
  private final LinkedHashMap<StreamName, Subscription> subscriptions = new LinkedHashMap<>(4);
  private long windowStartMillis;
  private int messagesInWindow;

  ClientSession(LoopDispatcher loop, FrameSink sink, boolean combined, boolean webSocket) {
    this.loop = loop;
    this.sink = sink;
    this.combined = combined;
    this.webSocket = webSocket;
    this.sender = new ConflatingSender(loop, sink, this);
    this.lastPongMillis = loop.nowMillis();
  }

  int subscriptionCount() {
    return subscriptions.size();
  }

  /** Counts one incoming message against the per-second limit; closes with 1008 and returns false past it. */
  boolean admit() {
    if (closed) {
      return false;
    }
    long now = loop.nowMillis();
    if (now - windowStartMillis >= 1000) {
      windowStartMillis = now;
      messagesInWindow = 0;
    }
    if (++messagesInWindow > loop.maxMessagesPerSecond) {
      close(CLOSE_POLICY_VIOLATION, "Too many messages");
      return false;
    }
    return true;
  }

  void onPong() {
    if (admit()) {
      lastPongMillis = loop.nowMillis();
    }
  }

  void onBinary() {
    if (admit()) {
      close(CLOSE_UNSUPPORTED_DATA, "Binary messages are not supported");
    }
  }

  void onText(String text) {
    if (!admit()) {
      return;
    }
    if (text.length() > loop.maxFrameBytes) {
      close(CLOSE_MESSAGE_TOO_BIG, "Message too big");
      return;
    }
    String reply;
    try {
      reply = handle(ControlMessages.parse(text));
    } catch (RejectedException e) {
      reply = e.reply;
    }
    if (!closed && reply != null) {
      sink.writeText(reply);
    }
  }

  private String handle(Request r) throws RejectedException {
    JsonArray params = r.params();
    switch (r.method()) {
      case "SUBSCRIBE" -> {
        List<StreamName> streams = streams(params, r.id());
        String problem = checkSubscribe(streams);
        if (problem != null) {
          throw new RejectedException(ControlMessages.error(ControlMessages.INVALID_REQUEST, problem, r.id()));
        }
        // The reply first, then the snapshots, then live ticks.
        sink.writeText(ControlMessages.result(null, r.id()));
        subscribe(streams);
        return null;
      }
      case "UNSUBSCRIBE" -> {
        for (StreamName s : streams(params, r.id())) {
          unsubscribe(s);
        }
        return ControlMessages.result(null, r.id());
      }
      case "LIST_SUBSCRIPTIONS" -> {
        if (!params.isEmpty()) {
          throw invalid("too many parameters", r.id());
        }
        JsonArray names = new JsonArray();
        subscriptions.keySet().forEach(s -> names.add(s.toString()));
        return ControlMessages.result(names, r.id());
      }
      case "SET_PROPERTY" -> {
        property(params, 2, r.id());
        if (!(params.getValue(1) instanceof Boolean value)) {
          throw new RejectedException(ControlMessages.error(ControlMessages.INVALID_VALUE_TYPE,
              "Invalid value type: expected Boolean", r.id()));
        }
        combined = value;
        return ControlMessages.result(null, r.id());
      }
      case "GET_PROPERTY" -> {
        property(params, 1, r.id());
        return ControlMessages.result(combined, r.id());
      }
      default -> throw new IllegalStateException(r.method());
    }
  }

  /** Checks a property request: {@code ["combined"]} or {@code ["combined", value]}. */
  private static void property(JsonArray params, int expected, Object id) throws RejectedException {
    if (params.size() > expected) {
      throw invalid("too many parameters", id);
    }
    if (params.size() < expected) {
      throw invalid("missing parameters", id);
    }
    if (!(params.getValue(0) instanceof String name)) {
      throw invalid("property name must be a string", id);
    }
    if (!name.equals("combined")) {
      throw new RejectedException(ControlMessages.error(ControlMessages.UNKNOWN_PROPERTY, "Unknown property", id));
    }
  }

  private static List<StreamName> streams(JsonArray params, Object id) throws RejectedException {
    List<StreamName> streams = new ArrayList<>(params.size());
    for (Object p : params) {
      if (!(p instanceof String text)) {
        throw invalid("stream names must be strings", id);
      }
      try {
        streams.add(StreamName.parse(text));
      } catch (InvalidStreamNameException e) {
        throw invalid(e.getMessage(), id);
      }
    }
    return streams;
  }

  private static RejectedException invalid(String what, Object id) {
    return new RejectedException(ControlMessages.error(ControlMessages.INVALID_REQUEST, "Invalid request: " + what, id));
  }

  /** Null if every stream may be added (known symbols, within the limit), else Binance's error message. */
  String checkSubscribe(List<StreamName> streams) {
    int added = 0;
    for (StreamName s : streams) {
      if (!s.isAllSymbols() && !loop.isKnown(s.symbol())) {
        return "Invalid request: unknown symbol " + s.symbol();
      }
      if (!subscriptions.containsKey(s)) {
        added++;
      }
    }
    if (subscriptions.size() + added > loop.maxStreams) {
      return "Invalid request: too many streams, at most " + loop.maxStreams + " per connection";
    }
    return null;
  }

  /** Adds the streams not yet subscribed and sends each one's snapshot at once. */
  void subscribe(List<StreamName> streams) {
    long now = loop.nowMillis();
    for (StreamName s : streams) {
      if (subscriptions.containsKey(s)) {
        continue;
      }
      Subscription sub = loop.register(this, s);
      subscriptions.put(s, sub);
      loop.snapshot(sub, now);
    }
    loop.flushDirty();
  }

  void unsubscribe(StreamName s) {
    Subscription sub = subscriptions.remove(s);
    if (sub != null) {
      sender.discard(sub);
      loop.unregister(sub);
    }
  }

  /** Binance's drain notice, in this connection's format. */
  void notifyShutdown(long epochMillis) {
    JsonObject event = new JsonObject().put("e", "serverShutdown").put("E", epochMillis);
    sink.writeText(combined ? new JsonObject().put("stream", "!serverShutdown").put("data", event).encode()
        : event.encode());
  }

  /** Closes the transport and releases everything this connection holds; idempotent. */
  void close(short code, String reason) {
    if (!closed) {
      sink.close(code, reason);
      release();
    }
  }

  /** The transport closed (or is closing): forget subscriptions and timers. Idempotent. */
  void release() {
    if (closed) {
      return;
    }
    closed = true;
    for (Subscription sub : subscriptions.values()) {
      sender.discard(sub);
      loop.unregister(sub);
    }
    subscriptions.clear();
    sender.close();
    loop.remove(this);
  }
}
