package io.tickstream.fanout.impl.loop;

import io.tickstream.common.stream.StreamName;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.metrics.LoopStats;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import io.tickstream.fanout.impl.metrics.SendCounters;
import io.tickstream.fanout.impl.session.ClientSession;
import io.tickstream.fanout.impl.session.ConflatingSender;
import io.tickstream.fanout.impl.session.LoopTimers;
import io.tickstream.fanout.impl.session.SendLoop;
import io.tickstream.fanout.impl.session.Subscription;
import io.tickstream.fanout.impl.session.SubscriptionRouter;
import io.tickstream.fanout.impl.session.SymbolSlot;
import io.tickstream.fanout.impl.source.EncodedTick;
import io.tickstream.fanout.impl.transport.FrameSink;
import io.tickstream.fanout.impl.transport.SockJSSink;
import io.tickstream.fanout.impl.transport.SockJSStreams;
import io.tickstream.fanout.impl.transport.VertxFrameGuard;
import io.tickstream.fanout.impl.transport.WebSocketSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one tick consumer of one event loop: a plain {@code symbol → subscriptions} map for this loop's
 * connections, the loop's view of every symbol's latest tick (the snapshot sent on subscribe), and the loop's
 * counters.
 *
 * <p>Why one per event loop and not one per connection: the event bus keeps an address's local consumers in a
 * copy-on-write array, so N per-connection consumers cost O(N²) to register and a copy per message each.
 * Here registering a connection or a subscription is O(1) (array append, swap-remove on leave), and a tick
 * batch is one task per loop.
 *
 * <p>Ordering: batches arrive in the Kafka thread's order, ticks within them in increasing {@code u} per
 * symbol; the snapshot a new subscription gets is this loop's latest, so it is never newer than a tick still
 * on its way to this loop, and {@code u} never steps back for a client.
 *
 * <p>Threading: every method runs on {@link #context}'s event loop, except the counters, which metrics read
 * racily from other threads. Per tick the hot path allocates nothing but a frame view per written connection.
 */
public final class LoopDispatcher implements SubscriptionRouter, LoopStats {

  final Vertx vertx;
  public final Context context;
  /** The send side of this loop: clock, timers, counters, flush pass. Sessions and senders share it. */
  public final SendLoop sends;
  private final FanoutConfig config;
  private final long pongTimeoutMillis;
  private final int writeQueueBytes;
  /**
   * A SockJS session's queue, at most: 16 KiB, whatever {@code fanout.write-queue-bytes} says. At 64 KiB (tried as the
   * default) an xhr-streaming session with short responses stopped receiving for good once its slow-link fit
   * carried a send buffer to a kept-alive stream connection (SockJSStreamingTest); at 16 KiB it never did. Until that
   * is understood and fixed, SockJS keeps the queue it was measured and tested with.
   */
  static final int SOCKJS_WRITE_QUEUE_BYTES = 16 * 1024;
  private final HashMap<String, SymbolSlot> slots = new HashMap<>();
  private final SymbolSlot allSymbols = new SymbolSlot("!bookTicker");
  /** Ticks dispatched to at least one subscription since the last batch flush: their latency is recorded then. */
  /**
   * The last {@code u} of each symbol delisted here whose slot has gone (nobody subscribed): a late copy of it is
   * still dropped. One entry per delisted symbol, and delistings are rare; an entry goes when the symbol is listed again.
   */
  private final HashMap<String, Long> delistedWithoutSlot = new HashMap<>();
  private final ArrayList<EncodedTick> delivered = new ArrayList<>();
  /** A batch flush is queued behind the batches on this loop ({@link #onTicks}). */
  private boolean flushQueued;
  private final Handler<Void> flushQueuedBatches = v -> flushBatches();
  private ClientSession[] sessions = new ClientSession[16];
  private int sessionCount;
  private volatile boolean snapshotReceived;
  private Promise<Void> drained;

  // Written by this loop only; read racily by NodeMetrics. The senders' own counters are in sends.counters.
  long lateCopies;
  long subscriptionCount;
  long rebalanced;
  /** Connections asked to reconnect by the rebalancer and not closed yet. */
  public volatile int sheddingCount;
  /** When the last connection the rebalancer shed here closed; 0 before. */
  public volatile long lastShedClosedMillis;
  private volatile int connectionCount;

  public LoopDispatcher(Vertx vertx, Context context, FanoutConfig config, NodeMetrics metrics) {
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.sends = new SendLoop(LoopTimers.of(vertx), config.slowClientGraceMillis(), metrics);
    this.pongTimeoutMillis = config.pongTimeoutMillis();
    this.writeQueueBytes = config.writeQueueBytes();
    vertx.setPeriodic(config.pingIntervalMillis(), id -> pingAll());
  }

  long nowMillis() {
    return sends.nowMillis();
  }

  /** The senders' counters of this loop (read racily by the metrics). */
  @Override
  public SendCounters counters() {
    return sends.counters;
  }

  @Override
  public long connectionCount() {
    return connectionCount;
  }

  @Override
  public long subscriptionCount() {
    return subscriptionCount;
  }

  @Override
  public long lateCopies() {
    return lateCopies;
  }

  @Override
  public long rebalanced() {
    return rebalanced;
  }

  /** True once this loop holds the snapshot rebuilt at start: only then are symbols known here. */
  public boolean hasSnapshot() {
    return snapshotReceived;
  }

  /** A symbol with a latest tick here: it ticked since the node started and has not been delisted since. */
  @Override
  public boolean isKnown(String symbol) {
    SymbolSlot slot = slots.get(symbol);
    return slot != null && slot.latest != null;
  }

  @Override
  public int symbolCount() {
    return slots.size();
  }

  /**
   * Dispatches one batch, and flushes once every batch already queued on this loop has been dispatched too: the
   * flush pass runs as a task behind them. Why: a flush is a syscall per connection, and a connection's syscall
   * carries every frame it was written since the last one. While the loop keeps up, each batch is flushed right after
   * it (one task hop later, microseconds); once batches queue up behind a busy loop, one pass flushes all of them,
   * so the frames per syscall grow with the load instead of the syscalls. On this loop.
   */
  public void onTicks(List<EncodedTick> batch) {
    dispatch(batch);
    if (!flushQueued) {
      flushQueued = true;
      context.runOnContext(flushQueuedBatches);
    }
  }

  /** Dispatches one batch and flushes at once; on this loop (package-private for tests and the benchmark). */
  void onTicksAndFlush(List<EncodedTick> batch) {
    dispatch(batch);
    flushBatches();
  }

  private void dispatch(List<EncodedTick> batch) {
    long now = nowMillis();
    for (int i = 0, n = batch.size(); i < n; i++) {
      EncodedTick t = batch.get(i);
      if (t.isDelisting()) {
        delist(t.symbol());
        continue;
      }
      SymbolSlot slot = slots.get(t.symbol());
      if (slot == null) {
        if (isLateCopyOfDelisted(t)) {
          continue;
        }
        slot = new SymbolSlot(t.symbol());
        slots.put(t.symbol(), slot);
      } else if (isLateCopy(slot, t)) {
        continue;
      }
      slot.latest = t;
      offerAll(slot, t, now);
      offerAll(allSymbols, t, now);
      if (slot.size > 0 || allSymbols.size > 0) {
        delivered.add(t);
      }
    }
    snapshotReceived = true;
  }

  /** The flush pass after one or more batches, then their {@code now - pt}, against one clock read. */
  private void flushBatches() {
    flushQueued = false;
    long nowMicros = sends.flushDirty();
    if (!delivered.isEmpty()) {
      if (nowMicros == 0) {
        nowMicros = NodeMetrics.nowMicros();
      }
      for (int i = 0, n = delivered.size(); i < n; i++) {
        sends.recordLatency(delivered.get(i), nowMicros);
      }
      delivered.clear();
    }
  }

  /**
   * Ticks reach a loop from two sources when the express lane is on (Kafka and the express lane, see
   * {@link io.tickstream.fanout.impl.source.ExpressReceiver}), each in increasing {@code u} per symbol but interleaved in any order. The
   * sources hand over only the first copy of a tick (the second is dropped undecoded, see
   * {@code io.tickstream.fanout.impl.source.NewestUpdateIds}), but two ticks claimed in one order may still reach a
   * loop in the other: the older one, behind the newer, is dropped here and counted, so {@code u} never steps back
   * for a client. Without the express lane the Kafka consumer already drops such ticks and this never fires. A
   * re-based tick ({@link EncodedTick#rebase}) passes.
   */
  private boolean isLateCopy(SymbolSlot slot, EncodedTick t) {
    long lastU = slot.latest != null ? slot.latest.updateId() : slot.delistedU;
    if (t.updateId() <= lastU && !t.rebase) {
      lateCopies++;
      return true;
    }
    slot.delistedU = Long.MIN_VALUE;
    return false;
  }

  /**
   * A symbol with no slot here: new, or delisted and since left by its last subscriber. A copy at or below the
   * {@code u} it was delisted with (the express lane's copy of its last tick, arriving after Kafka's tombstone) must
   * not list it again; a higher {@code u} does (listed again, as through Kafka).
   */
  private boolean isLateCopyOfDelisted(EncodedTick t) {
    Long delistedU = delistedWithoutSlot.get(t.symbol());
    if (delistedU == null) {
      return false;
    }
    if (t.updateId() <= delistedU && !t.rebase) {
      lateCopies++;
      return true;
    }
    delistedWithoutSlot.remove(t.symbol());
    return false;
  }

  /**
   * A tombstone: the symbol leaves the snapshot and becomes unknown to new subscriptions. Its current subscribers
   * keep their subscription and simply receive nothing more, as on Binance, where a delisted symbol's stream goes
   * quiet; a tick pending for a slow one is still delivered (it is older than the tombstone, never newer). If it is
   * listed again they receive its ticks. The slot goes once nobody is subscribed.
   */
  private void delist(String symbol) {
    SymbolSlot slot = slots.get(symbol);
    if (slot == null) {
      return;
    }
    if (slot.latest != null) {
      slot.delistedU = slot.latest.updateId();
    }
    slot.latest = null;
    if (slot.size == 0) {
      slots.remove(symbol);
      if (slot.delistedU != Long.MIN_VALUE) {
        delistedWithoutSlot.put(symbol, slot.delistedU);
      }
    }
  }

  private static void offerAll(SymbolSlot slot, EncodedTick t, long now) {
    Subscription[] subs = slot.subscribers;
    for (int i = 0, n = slot.size; i < n; i++) {
      Subscription s = subs[i];
      s.sender.offer(s, t, now);
    }
  }

  @Override
  public Subscription register(ConflatingSender sender, StreamName stream) {
    SymbolSlot slot = stream.isAllSymbols() ? null : slots.get(stream.symbol());
    Subscription sub = new Subscription(sender, stream, slot);
    (slot == null ? allSymbols : slot).add(sub);
    subscriptionCount++;
    return sub;
  }

  @Override
  public void unregister(Subscription sub) {
    (sub.slot == null ? allSymbols : sub.slot).remove(sub);
    subscriptionCount--;
    if (sub.slot != null && sub.slot.latest == null && sub.slot.size == 0 && slots.get(sub.slot.symbol) == sub.slot) {
      slots.remove(sub.slot.symbol); // the last subscriber of a delisted symbol left
      if (sub.slot.delistedU != Long.MIN_VALUE) {
        delistedWithoutSlot.put(sub.slot.symbol, sub.slot.delistedU);
      }
    }
  }

  /** Sends a new subscription the latest tick of its symbol, or of every symbol for {@code !bookTicker}. */
  @Override
  public void snapshot(Subscription sub, long now) {
    sends.snapshotting = true;
    try {
      offerSnapshot(sub, now);
    } finally {
      sends.snapshotting = false;
    }
  }

  private void offerSnapshot(Subscription sub, long now) {
    if (sub.slot != null) {
      if (sub.slot.latest != null) {
        sub.sender.offer(sub, sub.slot.latest, now);
      }
    } else {
      for (SymbolSlot slot : slots.values()) {
        if (slot.latest != null) {
          sub.sender.offer(sub, slot.latest, now);
        }
      }
    }
  }

  /** A WebSocket accepted for this loop, subscribed to {@code streams} (already checked). */
  public ClientSession openWebSocket(ServerWebSocket ws, boolean combined, List<StreamName> streams) {
    ClientSession[] holder = new ClientSession[1];
    WebSocketSink sink = new WebSocketSink(ws, writeQueueBytes, config.maxFrameBytes(), config.maxOutboundBytes(),
        sends.counters, WebSocketSink.CLOSE_FRAME_WAIT_MILLIS, () -> holder[0].sender.onDrain());
    ClientSession s = holder[0] = new ClientSession(sends, this, config, sink, combined, true);
    sink.inbound(s);
    add(s);
    // Frames were counted and checked by the sink's VertxFrameGuard; pings, pongs and binary frames end there.
    ws.textMessageHandler(s::onMessage);
    ws.closeHandler(v -> s.release());
    ws.exceptionHandler(e -> { });
    s.subscribe(streams);
    return s;
  }

  /**
   * A WebSocket served on this node's own pipeline ({@link io.tickstream.fanout.impl.server.WebSocketChannelUpgrade}), whose frame handler calls the
   * session directly; the caller subscribes it once its handler knows it.
   */
  public ClientSession openWebSocket(FrameSink sink, boolean combined) {
    ClientSession s = new ClientSession(sends, this, config, sink, combined, true);
    add(s);
    return s;
  }

  /** A SockJS session: no streams, {@code combined=true}, the same control messages. */
  public ClientSession openSockJS(SockJSSocket socket, SockJSStreams streams) {
    int queueBytes = Math.min(writeQueueBytes, SOCKJS_WRITE_QUEUE_BYTES);
    socket.setWriteQueueMaxSize(queueBytes);
    ClientSession[] holder = new ClientSession[1];
    SockJSSink sink = new SockJSSink(socket, queueBytes, config.maxOutboundBytes(), sends.counters, this::onLoop,
        () -> holder[0].sender.onDrain());
    ClientSession s = holder[0] = new ClientSession(sends, this, config, sink, true, false);
    add(s);
    VertxFrameGuard guard = VertxFrameGuard.ofSockJS(socket);
    // Only on the channel's own loop (the request's dispatch runs on a duplicate of this loop's context).
    if (guard != null && ((ContextInternal) context).nettyEventLoop().inEventLoop()) {
      // A websocket transport on this loop's own channel: its pings, pongs and fragments are counted and bounded too.
      sink.webSocket(guard.context());
      guard.inbound(s);
    }
    streams.open(socket, sink);
    socket.handler(b -> onLoop(() -> s.onText(b.toString())));
    socket.drainHandler(v -> onLoop(s.sender::onDrain));
    socket.closeHandler(v -> {
      streams.close(socket);
      onLoop(s::release);
    });
    socket.exceptionHandler(e -> { });
    return s;
  }

  /** SockJS may deliver a session's events on the loop of the HTTP request that carried them. */
  private void onLoop(Runnable r) {
    if (Vertx.currentContext() == context) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }

  private void add(ClientSession s) {
    if (sessionCount == sessions.length) {
      sessions = Arrays.copyOf(sessions, sessionCount * 2);
    }
    s.index = sessionCount;
    sessions[sessionCount++] = s;
    connectionCount = sessionCount;
  }

  /** Called once per session by {@link ClientSession#release()}. */
  @Override
  public void remove(ClientSession s) {
    int i = s.index;
    if (i >= 0 && i < sessionCount && sessions[i] == s) {
      ClientSession last = sessions[--sessionCount];
      sessions[i] = last;
      last.index = i;
      sessions[sessionCount] = null;
      s.index = -1;
    }
    connectionCount = sessionCount;
    if (s.shedding) {
      sheddingCount--;
      lastShedClosedMillis = nowMillis();
    }
    if (drained != null && sessionCount == 0) {
      drained.tryComplete();
    }
    onSessionRemoved.run();
  }

  public Runnable onSessionRemoved = () -> { };

  private void pingAll() {
    long now = nowMillis();
    for (ClientSession s : Arrays.copyOf(sessions, sessionCount)) {
      if (!s.webSocket) {
        continue;
      }
      s.pingOrClose(now, pongTimeoutMillis);
    }
  }

  /**
   * Graceful drain: every connection gets {@code serverShutdown} now and is closed with 1012 at a random
   * moment within {@code windowMillis}, so clients do not reconnect all at once. Completes when every
   * connection has closed, or shortly after the window. A connection already shed by the rebalancer keeps its
   * notice and its (earlier) close.
   */
  public Future<Void> drain(long delayMillis, long windowMillis) {
    drained = Promise.promise();
    long now = nowMillis();
    ClientSession[] all = Arrays.copyOf(sessions, sessionCount);
    for (ClientSession s : all) {
      if (!s.shedding) {
        long delay = 1 + delayMillis + (windowMillis <= 1 ? 0 : ThreadLocalRandom.current().nextLong(windowMillis));
        askToReconnect(s, now, delay, "Service restart");
      }
    }
    if (sessionCount == 0) {
      drained.tryComplete();
    }
    vertx.setTimer(delayMillis + windowMillis + 2_000, id -> drained.tryComplete());
    return drained.future();
  }

  /**
   * Rebalancing: asks {@code count} of this loop's connections (fewer if it has fewer not already asked) to
   * reconnect elsewhere, exactly as the drain does, each closed with 1012 at a random moment within
   * {@code jitterMillis}. Which ones is uniformly random but reproducible from {@code seed}. Does nothing once the
   * loop drains. Returns how many were asked.
   */
  public int shed(int count, long jitterMillis, long seed) {
    if (drained != null || count <= 0) {
      return 0;
    }
    ClientSession[] candidates = new ClientSession[sessionCount];
    int n = 0;
    for (int i = 0; i < sessionCount; i++) {
      if (!sessions[i].shedding && !sessions[i].closed) {
        candidates[n++] = sessions[i];
      }
    }
    SplittableRandom random = new SplittableRandom(seed);
    long now = nowMillis();
    int shed = Math.min(count, n);
    for (int i = 0; i < shed; i++) {
      // A partial Fisher-Yates shuffle: candidates[0..i) are the ones picked so far.
      int j = i + random.nextInt(n - i);
      ClientSession s = candidates[j];
      candidates[j] = candidates[i];
      s.shedding = true;
      sheddingCount++;
      rebalanced++;
      askToReconnect(s, now, 1 + (jitterMillis <= 1 ? 0 : random.nextLong(jitterMillis)), "Rebalancing");
    }
    return shed;
  }

  /** The one way a connection is sent elsewhere: {@code serverShutdown} now, 1012 after {@code closeDelayMillis}. */
  private void askToReconnect(ClientSession s, long nowMillis, long closeDelayMillis, String reason) {
    s.notifyShutdown(nowMillis);
    vertx.setTimer(closeDelayMillis, id -> s.close(ClientSession.CLOSE_SERVICE_RESTART, reason));
  }
}
