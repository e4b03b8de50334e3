package io.tickstream.fanout.impl.session;

import io.netty.buffer.ByteBuf;
import io.tickstream.common.protocol.ControlException;
import io.tickstream.common.protocol.ControlReplies;
import io.tickstream.common.protocol.ControlRequest;
import io.tickstream.common.stream.StreamName;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.access.Lease;
import io.tickstream.fanout.impl.metrics.ClientClose;
import io.tickstream.fanout.impl.transport.ControlFrames;
import io.tickstream.fanout.impl.transport.FrameSink;
import io.tickstream.fanout.impl.transport.Inbound;
import io.vertx.core.Context;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One client connection (WebSocket or SockJS): its subscriptions, its {@code combined} property, the
 * Binance control protocol (parsing, checks and texts are {@link ControlRequest}'s, shared with the exchange
 * simulator; this class adds the known-symbol and stream-limit checks), the incoming-message rate limit, ping
 * liveness, and the closes for what a client did ({@link ClientClose}, each counted). Its ticks go through its {@link ConflatingSender}.
 *
 * <p>Layering: a session knows its transport only as a {@link FrameSink}, its loop's routing only as a
 * {@link SubscriptionRouter}, and sends ticks through its own {@link ConflatingSender}; the dispatcher that routes
 * ticks knows sessions, not the other way round.
 *
 * <p>Threading: confined to one event loop; every handler the transport calls runs there. Size: a handful of fields, a map of its subscriptions, and the sender's backlog only once it
 * fell behind.
 */
public final class ClientSession implements Inbound {

  public static final short CLOSE_SERVICE_RESTART = 1012;

  private final SendLoop loop;
  private final SubscriptionRouter router;
  private final FanoutConfig limits;
  final FrameSink sink;
  public final ConflatingSender sender;
  public final boolean webSocket;
  public boolean closed;
  /** Asked to reconnect elsewhere (serverShutdown sent, 1012 on its way). */
  public boolean shedding;
  public int index = -1;
  /** When the last pong echoing one of our pings arrived (the connection's start before the first). */
  long lastPongMillis;
  /** The client key this connection holds ({@link Lease#PUBLIC} without keys): its entitlements and revocation. */
  private Lease lease = Lease.PUBLIC;
  /** The payload of the last ping sent, valid while {@link #pingOutstanding}. */
  private long pingPayload;
  private boolean pingOutstanding;
  private final LinkedHashMap<StreamName, Subscription> subscriptions = new LinkedHashMap<>(4);
  private long windowStartMillis;
  private int messagesInWindow;
  /**
   * {@code fanout.subscriptions-per-second}: stream additions this connection may still make, in thousandths (so a refill
   * over a few milliseconds is not rounded away), and when it was last refilled. May go below zero: one request may
   * overdraw it, the next waits until it is positive again.
   */
  private long subscribeCredit;
  private long creditAtMillis;

  /**
   * @param limits the per-connection limits ({@code fanout.max-streams}, {@code fanout.max-messages-per-second},
   *     {@code fanout.max-frame-bytes})
   */
  public ClientSession(SendLoop loop, SubscriptionRouter router, FanoutConfig limits, FrameSink sink, boolean combined,
                boolean webSocket) {
    this.loop = loop;
    this.router = router;
    this.limits = limits;
    this.sink = sink;
    this.webSocket = webSocket;
    this.sender = new ConflatingSender(loop, sink, combined, () -> close(ClientClose.SLOW_CLIENT));
    this.lastPongMillis = loop.nowMillis();
    this.creditAtMillis = lastPongMillis;
    this.subscribeCredit = limits.subscriptionsPerSecond() * 1000L;
  }

  /**
   * Holds {@code lease} from now on: SUBSCRIBE checks its entitlements, closing releases it, and revoking (or the key
   * expiring) closes this connection with 1008 on {@code context}, this session's loop.
   */
  public ClientSession lease(Lease lease, Context context) {
    this.lease = lease;
    if (closed) {
      lease.release();
    } else {
      lease.attach(context, () -> close(ClientClose.REVOKED), this::dropUnentitled);
    }
    return this;
  }

  /**
   * The key's grant changed at a reload: drops every stream it no longer permits, and tells the client which, in a
   * Binance-style error message (Binance has no such event; a client learns it either this way or from
   * {@code LIST_SUBSCRIPTIONS}).
   */
  private void dropUnentitled() {
    if (closed) {
      return;
    }
    List<StreamName> lost = new ArrayList<>();
    for (StreamName s : subscriptions.keySet()) {
      if (!lease.grant().permits(s)) {
        lost.add(s);
      }
    }
    if (lost.isEmpty()) {
      return;
    }
    lost.forEach(this::unsubscribe);
    reply(ControlReplies.error(ControlReplies.INVALID_REQUEST, "Unsubscribed: this key is no longer entitled to stream "
        + String.join(", ", lost.stream().map(StreamName::toString).toList()), null));
  }

  /** The connection's {@code combined} property (Binance's {@code SET_PROPERTY}). */
  boolean combined() {
    return sender.combined;
  }

  int subscriptionCount() {
    return subscriptions.size();
  }

  /**
   * Counts one incoming frame against {@code fanout.max-messages-per-second}, as Binance counts them: text, binary and
   * continuation frames, pings and pongs alike (a fragmented message costs one per fragment, so fragments cannot be
   * used to send more). Past the limit the connection is closed with 1008 ({@link ClientClose#RATE_LIMIT}). False if
   * the frame must be ignored: past the limit or already closed.
   */
  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void onDrain() {
    sender.onDrain();
  }

  @Override
  public boolean admit() {
    if (closed) {
      return false;
    }
    long now = loop.nowMillis();
    if (now - windowStartMillis >= 1000) {
      windowStartMillis = now;
      messagesInWindow = 0;
    }
    if (++messagesInWindow > limits.maxMessagesPerSecond()) {
      close(ClientClose.RATE_LIMIT);
      return false;
    }
    return true;
  }

  /** A ping: counted toward the rate limit, then answered with its payload within the outbound cap. */
  @Override
  public void onPing(ByteBuf payload) {
    if (admit() && !sink.pong(payload)) {
      close(ClientClose.OUTBOUND_CAP);
    }
  }

  /**
   * A pong counts as liveness only if it echoes the payload of the last ping we sent: a random number that a client
   * which does not read cannot know. Unsolicited pongs are allowed (RFC 6455 5.5.3) and count toward the rate limit,
   * but, as on Binance, do not keep a connection alive.
   */
  @Override
  public void onPong(ByteBuf payload) {
    if (admit() && pingOutstanding && payload.readableBytes() == ControlFrames.PING_PAYLOAD_BYTES
        && payload.getLong(payload.readerIndex()) == pingPayload) {
      pingOutstanding = false;
      lastPongMillis = loop.nowMillis();
    }
  }

  /**
   * The periodic liveness check: closes with 1008 ({@link ClientClose#PONG_TIMEOUT}) a WebSocket that has not echoed a
   * ping for {@code pongTimeoutMillis}, else sends the next ping with a fresh random payload.
   */
  public void pingOrClose(long nowMillis, long pongTimeoutMillis) {
    if (nowMillis - lastPongMillis > pongTimeoutMillis) {
      close(ClientClose.PONG_TIMEOUT);
      return;
    }
    pingPayload = loop.pingPayload();
    pingOutstanding = true;
    if (!sink.ping(pingPayload)) {
      close(ClientClose.OUTBOUND_CAP);
    }
  }

  @Override
  public void onBinary() {
    if (admit()) {
      close(ClientClose.BINARY);
    }
  }

  /** A complete text message from SockJS: counted, size-checked, then handled like a WebSocket one. */
  public void onText(String text) {
    if (!admit()) {
      return;
    }
    if (text.length() > limits.maxFrameBytes()) {
      close(ClientClose.TOO_BIG);
      return;
    }
    onMessage(text);
  }

  /**
   * A complete text message whose frames were already {@link #admit admitted} and whose size was checked by the
   * transport (in bytes, as it arrived).
   */
  @Override
  public void onMessage(String text) {
    if (closed) {
      return;
    }
    String reply;
    try {
      reply = handle(ControlRequest.parse(text));
    } catch (ControlException e) {
      reply = e.reply();
    }
    if (!closed && reply != null) {
      reply(reply);
    }
  }

  /** Sends a control reply or notice; closes the connection instead if it would pass its outbound cap. */
  private void reply(String json) {
    if (!sink.writeText(json)) {
      close(ClientClose.OUTBOUND_CAP);
    }
  }

  private String handle(ControlRequest r) throws ControlException {
    switch (r.method()) {
      case SUBSCRIBE -> {
        List<StreamName> streams = r.streamNames();
        String problem = checkSubscribe(streams);
        if (problem != null) {
          throw new ControlException(ControlReplies.INVALID_REQUEST, problem, r.id());
        }
        // The reply first, then the snapshots, then live ticks.
        reply(r.reply(null));
        if (!closed) {
          subscribe(streams);
        }
        return null;
      }
      case UNSUBSCRIBE -> {
        for (StreamName s : r.streamNames()) {
          unsubscribe(s);
        }
        return r.reply(null);
      }
      case LIST_SUBSCRIPTIONS -> {
        r.checkNoParams();
        JsonArray names = new JsonArray();
        subscriptions.keySet().forEach(s -> names.add(s.toString()));
        return r.reply(names);
      }
      case SET_PROPERTY -> {
        sender.combined = r.setPropertyValue();
        return r.reply(null);
      }
      case GET_PROPERTY -> {
        r.checkGetProperty();
        return r.reply(sender.combined);
      }
      default -> throw new IllegalStateException(r.method().name());
    }
  }

  /** Null if every stream may be added (known symbols, within the limit), else Binance's error message. */
  String checkSubscribe(List<StreamName> streams) {
    int added = 0;
    for (StreamName s : streams) {
      if (!s.isAllSymbols() && !router.isKnown(s.symbol())) {
        return "Invalid request: unknown symbol " + s.symbol();
      }
      if (!lease.grant().permits(s)) {
        return "Invalid request: this key is not entitled to stream " + s;
      }
      if (!subscriptions.containsKey(s)) {
        added++;
      }
    }
    if (subscriptions.size() + added > limits.maxStreams()) {
      return "Invalid request: too many streams, at most " + limits.maxStreams() + " per connection";
    }
    if (added > 0 && !subscribeCreditLeft()) {
      long waitMillis = -subscribeCredit / limits.subscriptionsPerSecond() + 1;
      return "Invalid request: too many subscriptions, at most " + limits.subscriptionsPerSecond()
          + " streams added per second (!bookTicker counts every symbol); retry in " + waitMillis + " ms";
    }
    return null;
  }

  /**
   * Refills {@code fanout.subscriptions-per-second}'s budget for the time since it was last looked at (up to one
   * second's worth); true if some is left. Why a budget of streams and not of requests: a SUBSCRIBE costs a snapshot
   * send per stream it adds (every symbol for {@code !bookTicker}), so 5 messages a second could otherwise be thousands
   * of snapshot sends a second.
   */
  private boolean subscribeCreditLeft() {
    long now = loop.nowMillis();
    long rate = limits.subscriptionsPerSecond();
    subscribeCredit = Math.min(rate * 1000, subscribeCredit + Math.max(0, now - creditAtMillis) * rate);
    creditAtMillis = now;
    return subscribeCredit > 0;
  }

  /**
   * Adds the streams not yet subscribed and sends each one's snapshot at once; their cost comes off the subscription
   * budget (checked by {@link #checkSubscribe} for a SUBSCRIBE; a URL's streams may overdraw it).
   */
  public void subscribe(List<StreamName> streams) {
    long now = loop.nowMillis();
    subscribeCreditLeft();
    for (StreamName s : streams) {
      if (subscriptions.containsKey(s)) {
        continue;
      }
      subscribeCredit -= 1000L * (s.isAllSymbols() ? Math.max(1, router.symbolCount()) : 1);
      Subscription sub = router.register(sender, s);
      subscriptions.put(s, sub);
      router.snapshot(sub, now);
    }
    loop.flushDirty();
  }

  void unsubscribe(StreamName s) {
    Subscription sub = subscriptions.remove(s);
    if (sub != null) {
      sender.discard(sub);
      router.unregister(sub);
    }
  }

  /** Binance's drain notice, in this connection's format. */
  public void notifyShutdown(long epochMillis) {
    JsonObject event = new JsonObject().put("e", "serverShutdown").put("E", epochMillis);
    reply(sender.combined ? new JsonObject().put("stream", "!serverShutdown").put("data", event).encode()
        : event.encode());
  }

  /** Closes the transport for {@code why}, counted once per connection; idempotent. */
  @Override
  public void close(ClientClose why) {
    close(why, why.code, why.text);
  }

  /** Closes for {@code why} with a code and reason of the transport's (a decoder's refusal: 1002 or 1007). */
  @Override
  public void close(ClientClose why, short code, String reason) {
    if (!closed) {
      loop.counters.clientCloses[why.ordinal()]++;
      close(code, reason);
    }
  }

  /** Closes the transport and releases everything this connection holds; idempotent. */
  public void close(short code, String reason) {
    if (!closed) {
      sink.close(code, reason);
      release();
    }
  }

  /** The transport closed (or is closing): forget subscriptions and timers. Idempotent. */
  @Override
  public void release() {
    if (closed) {
      return;
    }
    closed = true;
    for (Subscription sub : subscriptions.values()) {
      sender.discard(sub);
      router.unregister(sub);
    }
    subscriptions.clear();
    sender.close();
    lease.release();
    router.remove(this);
  }
}
