package io.tickstream.fanout.impl;

import io.tickstream.common.stream.StreamName;
import io.tickstream.common.tick.BookTickerEncoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
public final class LoopDispatcher {

  final Vertx vertx;
  final Context context;
  final BookTickerEncoder encoder = new BookTickerEncoder();
  final int maxStreams;
  final int maxMessagesPerSecond;
  final int maxFrameBytes;
  final long slowClientGraceMillis;
  private final long pongTimeoutMillis;
  private final int writeQueueBytes;
  private final NodeMetrics metrics;
  private final HashMap<String, SymbolSlot> slots = new HashMap<>();
  private final SymbolSlot allSymbols = new SymbolSlot("!bookTicker");
  private final ArrayList<ConflatingSender> dirty = new ArrayList<>();
  /** {@link #flushDirty()} is running: a drain inside it must not start another pass over {@link #dirty}. */
  private boolean flushing;
  /** {@link #snapshot} is offering a subscription its latest ticks: their {@code ft} is no latency of ours. */
  boolean snapshotting;
  private final ArrayList<EncodedTick> delivered = new ArrayList<>();
  /**
   * {@code ft → flush}, this loop's share (see {@link FtToFlushHistogram}): written by this loop only, once per
   * flush pass; read racily at scrape time.
   */
  final long[] ftToFlushBuckets = new long[FtToFlushHistogram.BUCKETS];
  long ftToFlushSumMicros;
  /** The oldest live {@code ft} of each connection flushed in the running pass, bucketed when the pass ends. */
  private long[] passFts = new long[64];
  private int passFtCount;
  private ClientSession[] sessions = new ClientSession[16];
  private int sessionCount;
  private volatile boolean snapshotReceived;
  private Promise<Void> drained;

  // Written by this loop only; read racily by NodeMetrics.
  long framesOut;
  long conflatedDrops;
  long lateCopies;
  long pendingTicks;
  long slowClientCloses;
  long subscriptionCount;
  long rebalanced;
  /** Connections asked to reconnect by the rebalancer and not closed yet. */
  volatile int sheddingCount;
  /** When the last connection the rebalancer shed here closed; 0 before. */
  volatile long lastShedClosedMillis;
  private volatile int connectionCount;

  LoopDispatcher(Vertx vertx, Context context, FanoutConfig config, NodeMetrics metrics) {
    this.vertx = vertx;
    this.context = context;
    this.maxStreams = config.maxStreams();
    this.maxMessagesPerSecond = config.maxMessagesPerSecond();
    this.maxFrameBytes = config.maxFrameBytes();
    this.slowClientGraceMillis = config.slowClientGraceMillis();
    this.pongTimeoutMillis = config.pongTimeoutMillis();
    this.writeQueueBytes = config.writeQueueBytes();
    this.metrics = metrics;
    vertx.setPeriodic(config.pingIntervalMillis(), id -> pingAll());
  }

  Vertx vertx() {
    return vertx;
  }

  long nowMillis() {
    return System.currentTimeMillis();
  }

  public long connectionCount() {
    return connectionCount;
  }

  /** True once this loop holds the snapshot rebuilt at start: only then are symbols known here. */
  boolean hasSnapshot() {
    return snapshotReceived;
  }

  /** A symbol with a latest tick here: it ticked since the node started and has not been delisted since. */
  boolean isKnown(String symbol) {
    SymbolSlot slot = slots.get(symbol);
    return slot != null && slot.latest != null;
  }

  /** Dispatches one batch; on this loop (package-private for the benchmark). */
  void onTicks(List<EncodedTick> batch) {
    long now = nowMillis();
    for (int i = 0, n = batch.size(); i < n; i++) {
      EncodedTick t = batch.get(i);
      if (t.isDelisting()) {
        delist(t.symbol());
        continue;
      }
      SymbolSlot slot = slots.get(t.symbol());
      if (slot == null) {
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
    long nowMicros = flushDirty();
    if (!delivered.isEmpty()) {
      if (nowMicros == 0) {
        nowMicros = NodeMetrics.nowMicros();
      }
      for (int i = 0, n = delivered.size(); i < n; i++) {
        metrics.recordLatency(delivered.get(i).tick.receiveTimeMicros(), nowMicros);
      }
      delivered.clear();
    }
  }

  /**
   * Ticks reach a loop from two sources when the express lane is on (Kafka and the express lane, see
   * {@link ExpressReceiver}), each in increasing {@code u} per symbol but interleaved in any order: the copy that
   * comes second, or an older tick behind a newer one of the other source, is dropped here and counted, so
   * {@code u} never steps back for a client. Without the express lane the Kafka consumer already drops such ticks
   * and this never fires. A re-based tick ({@link EncodedTick#rebase}) passes.
   */
  private boolean isLateCopy(SymbolSlot slot, EncodedTick t) {
    EncodedTick last = slot.latest;
    if (last != null && t.updateId() <= last.updateId() && !t.rebase) {
      lateCopies++;
      return true;
    }
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
    slot.latest = null;
    if (slot.size == 0) {
      slots.remove(symbol);
    }
  }

  private static void offerAll(SymbolSlot slot, EncodedTick t, long now) {
    Subscription[] subs = slot.subscribers;
    for (int i = 0, n = slot.size; i < n; i++) {
      Subscription s = subs[i];
      s.session.sender.offer(s, t, now);
    }
  }

  void markDirty(ConflatingSender sender) {
    dirty.add(sender);
  }

  /**
   * One flush per connection written since the last call: the syscall count is what broadcast costs.
   *
   * <p>Re-entrant calls return at once. Netty reports a channel writable again from inside its flush, so a
   * connection's drain, which writes its pending ticks and calls this, can run inside this loop; the connections
   * it marks dirty are appended to the list and flushed by the running loop, which reads the size each round.
   *
   * <p>{@code ft → flush} reads the clock once, after the pass: every connection flushed in it is recorded against
   * that one instant (so a connection flushed early in a long pass is counted late by the rest of the pass).
   *
   * @return the wall clock (µs since the epoch) read after the pass, or 0 if no flush carried a live tick (then
   *     nothing read it)
   */
  long flushDirty() {
    if (flushing) {
      return 0;
    }
    flushing = true;
    try {
      for (int i = 0; i < dirty.size(); i++) {
        dirty.get(i).flush();
      }
      dirty.clear();
    } finally {
      flushing = false;
    }
    if (passFtCount == 0) {
      return 0;
    }
    long nowMicros = NodeMetrics.nowMicros();
    recordFlushes(nowMicros);
    return nowMicros;
  }

  /** A connection flushed in the running pass; {@code oldestFtMicros} of the live ticks it carried. */
  void flushed(long oldestFtMicros) {
    if (passFtCount == passFts.length) {
      passFts = Arrays.copyOf(passFts, passFtCount * 2);
    }
    passFts[passFtCount++] = oldestFtMicros;
  }

  /** Buckets the pass's samples against one clock read; a negative difference (clock stepped back) counts as 0. */
  private void recordFlushes(long nowMicros) {
    long[] fts = passFts;
    long[] buckets = ftToFlushBuckets;
    long sum = 0;
    for (int i = 0, n = passFtCount; i < n; i++) {
      long micros = Math.max(0, nowMicros - fts[i]);
      buckets[FtToFlushHistogram.bucket(micros)]++;
      sum += micros;
    }
    ftToFlushSumMicros += sum;
    passFtCount = 0;
  }

  void recordLatency(EncodedTick t) {
    metrics.recordLatency(t.tick.receiveTimeMicros(), NodeMetrics.nowMicros());
  }

  Subscription register(ClientSession session, StreamName stream) {
    SymbolSlot slot = stream.isAllSymbols() ? null : slots.get(stream.symbol());
    Subscription sub = new Subscription(session, stream, slot);
    (slot == null ? allSymbols : slot).add(sub);
    subscriptionCount++;
    return sub;
  }

  void unregister(Subscription sub) {
    (sub.slot == null ? allSymbols : sub.slot).remove(sub);
    subscriptionCount--;
    if (sub.slot != null && sub.slot.latest == null && sub.slot.size == 0 && slots.get(sub.slot.symbol) == sub.slot) {
      slots.remove(sub.slot.symbol); // the last subscriber of a delisted symbol left
    }
  }

  /** Sends a new subscription the latest tick of its symbol, or of every symbol for {@code !bookTicker}. */
  void snapshot(Subscription sub, long now) {
    snapshotting = true;
    try {
      offerSnapshot(sub, now);
    } finally {
      snapshotting = false;
    }
  }

  private void offerSnapshot(Subscription sub, long now) {
    if (sub.slot != null) {
      if (sub.slot.latest != null) {
        sub.session.sender.offer(sub, sub.slot.latest, now);
      }
    } else {
      for (SymbolSlot slot : slots.values()) {
        if (slot.latest != null) {
          sub.session.sender.offer(sub, slot.latest, now);
        }
      }
    }
  }

  /** A WebSocket accepted for this loop, subscribed to {@code streams} (already checked). */
  ClientSession openWebSocket(ServerWebSocket ws, boolean combined, List<StreamName> streams) {
    ClientSession[] holder = new ClientSession[1];
    WebSocketSink sink = new WebSocketSink(ws, writeQueueBytes, () -> holder[0].sender.onDrain());
    ClientSession s = holder[0] = new ClientSession(this, sink, combined, true);
    add(s);
    ws.textMessageHandler(s::onText);
    ws.binaryMessageHandler(b -> s.onBinary());
    ws.pongHandler(b -> s.onPong());
    ws.closeHandler(v -> s.release());
    ws.exceptionHandler(e -> { });
    s.subscribe(streams);
    return s;
  }

  /** A SockJS session: no streams, {@code combined=true}, the same control messages. */
  ClientSession openSockJS(SockJSSocket socket) {
    socket.setWriteQueueMaxSize(writeQueueBytes);
    ClientSession s = new ClientSession(this, new SockJSSink(socket), true, false);
    add(s);
    socket.handler(b -> onLoop(() -> s.onText(b.toString())));
    socket.drainHandler(v -> onLoop(s.sender::onDrain));
    socket.closeHandler(v -> onLoop(s::release));
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
  void remove(ClientSession s) {
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

  Runnable onSessionRemoved = () -> { };

  private void pingAll() {
    long now = nowMillis();
    for (ClientSession s : Arrays.copyOf(sessions, sessionCount)) {
      if (!s.webSocket) {
        continue;
      }
      if (now - s.lastPongMillis > pongTimeoutMillis) {
        s.close(ClientSession.CLOSE_POLICY_VIOLATION, "Pong timeout");
      } else {
        s.sink.ping();
      }
    }
  }

  /**
   * Graceful drain: every connection gets {@code serverShutdown} now and is closed with 1012 at a random
   * moment within {@code windowMillis}, so clients do not reconnect all at once. Completes when every
   * connection has closed, or shortly after the window. A connection already shed by the rebalancer keeps its
   * notice and its (earlier) close.
   */
  Future<Void> drain(long delayMillis, long windowMillis) {
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
  int shed(int count, long jitterMillis, long seed) {
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
