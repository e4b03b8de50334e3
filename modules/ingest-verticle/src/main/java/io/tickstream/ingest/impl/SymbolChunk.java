package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickstream.common.config.Config;
import io.tickstream.common.stream.InvalidStreamNameException;
import io.tickstream.common.stream.StreamName;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.ingest.IngestMetrics;
import io.tickstream.ingest.IngestSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One chunk of at most 1024 streams and the exchange connection that carries them.
 *
 * <p>Deployed as its own verticle so that chunks spread over the event loops. Everything here runs on the
 * chunk's context; the coordinator calls {@link #add}/{@link #remove} from elsewhere and they hop over.
 *
 * <p><b>Staying up.</b> A connection that closes or fails is re-opened after a full-jitter backoff, within the
 * process-wide {@link ConnectionBudget}. A connection that is about to end anyway (its age reaches
 * {@code ingest.connection-max-age}, the exchange announced {@code serverShutdown}) or that went silent
 * (the watchdog) is replaced <i>make-before-break</i>: the successor opens with the same streams, and the
 * old connection is closed only once the successor has delivered a tick (or
 * {@code ingest.replacement-timeout} passed). Both deliver during the overlap; the sender's per-symbol
 * {@code u} rule removes the duplicates, so the switch loses nothing and repeats nothing.
 *
 * <p><b>Live changes.</b> Streams added or removed while connected go out as SUBSCRIBE/UNSUBSCRIBE, at most
 * {@code ingest.control-messages-per-second}, computed as the difference between what the chunk wants and
 * what the connection carries, so nothing is lost when a connection is replaced mid-change.
 *
 * <p><b>Owners.</b> A chunk starts streaming but not writing: its sender is held until {@link ChunkOwnership}
 * calls {@link #startWriting} (after the previous owner, if any, let go). {@link #stopWriting} is the other
 * half of a handover: nothing more is sent, and the future completes with the last {@code u} sent per symbol once
 * Kafka has answered for every record in flight, so the next owner's first record lands after them.
 */
public final class SymbolChunk extends VerticleBase implements ExchangeConnection.Listener {

  private static final Logger log = LoggerFactory.getLogger(SymbolChunk.class);
  /** Streams per SUBSCRIBE/UNSUBSCRIBE message. */
  static final int STREAMS_PER_CONTROL_MESSAGE = 100;

  private final int id;
  private final String key;
  private final Config config;
  private final WebSocketClient client;
  private final ExchangeEndpoint endpoint;
  private final ConnectionBudget budget;
  private final SenderFactory senderFactory;
  private ConflatingKafkaSender sender;
  private final TickRecorder recorder;
  private final IngestDrops drops;
  private final MeterRegistry registry;
  private final Counter framesIn;
  private final Counter serverShutdowns;
  private final Backoff backoff;
  private final Set<String> wanted = new LinkedHashSet<>();
  private final long watchdogNanos;
  private final long maxAgeNanos;

  private ExchangeConnection current;
  private ExchangeConnection successor;
  private boolean opening;
  private boolean stopped;
  private long connectionSeq;
  private volatile boolean streaming;
  private volatile boolean writing;
  private volatile boolean dismissed;
  private final java.util.function.Supplier<Future<Void>> beforeStop;

  public SymbolChunk(int id, String key, Collection<String> streams, Config config, WebSocketClient client, ConnectionBudget budget,
                     SenderFactory senderFactory, TickRecorder recorder, IngestDrops drops, MeterRegistry registry,
                     java.util.function.Supplier<Future<Void>> beforeStop) {
    this.beforeStop = beforeStop;
    this.id = id;
    this.key = key;
    this.config = config;
    this.client = client;
    this.endpoint = ExchangeEndpoint.parse(config.get(IngestSettings.WS_URL));
    this.budget = budget;
    this.senderFactory = senderFactory;
    this.recorder = recorder;
    this.drops = drops;
    this.registry = registry;
    this.framesIn = registry.counter(IngestMetrics.FRAMES_IN, "chunk", key);
    this.serverShutdowns = registry.counter(IngestMetrics.SERVER_SHUTDOWNS);
    this.backoff = new Backoff(config.get(IngestSettings.RECONNECT_BASE_DELAY), config.get(IngestSettings.RECONNECT_MAX_DELAY));
    this.watchdogNanos = config.get(IngestSettings.WATCHDOG_TIMEOUT).toNanos();
    this.maxAgeNanos = config.get(IngestSettings.CONNECTION_MAX_AGE).toNanos();
    this.wanted.addAll(streams);
  }

  /** Makes the chunk's Kafka sender once its context is known. */
  @FunctionalInterface
  public interface SenderFactory {
    ConflatingKafkaSender create(Context context);
  }

  @Override
  public Future<?> start() {
    sender = senderFactory.create(context);
    sender.hold();
    long watchdogPeriod = Math.max(50, TimeUnit.NANOSECONDS.toMillis(Math.min(watchdogNanos, maxAgeNanos)) / 4);
    vertx.setPeriodic(watchdogPeriod, t -> checkHealth());
    vertx.setPeriodic(1000 / config.get(IngestSettings.CONTROL_RATE), t -> reconcile());
    open("initial");
    return Future.succeededFuture();
  }

  /**
   * Undeployed by its node's ownership (handed over, or no longer this node's): {@link #stop()} closes at once.
   * Otherwise a stop comes from the ingest being undeployed (Vert.x undeploys child verticles before their
   * parent), and the chunk keeps streaming and writing until the ownership has handed it over. Any thread.
   */
  public void dismiss() {
    dismissed = true;
  }

  @Override
  public Future<?> stop() {
    return dismissed ? close() : beforeStop.get().transform(ar -> close());
  }

  private Future<Void> close() {
    stopped = true;
    streaming = false;
    writing = false;
    if (sender != null) {
      sender.close();
    }
    if (current != null) {
      current.retire();
    }
    if (successor != null) {
      successor.retire();
    }
    return Future.succeededFuture();
  }

  /** Adds streams; callable from any thread. A stream delisted here before is let through again. */
  public void add(Collection<String> streams) {
    List<String> copy = List.copyOf(streams);
    context.runOnContext(v -> {
      wanted.addAll(copy);
      for (String s : copy) {
        if (sender != null) {
          sender.relist(symbolOf(s));
        }
      }
    });
  }

  /**
   * Removes streams whose symbols the exchange no longer lists as TRADING, and writes each symbol's tombstone
   * ({@link ConflatingKafkaSender#delist}): nothing more of them is sent from now on, so the tombstone is their
   * last record; the UNSUBSCRIBE follows at the control-message rate. Callable from any thread. A stream that
   * merely moves elsewhere must use {@link #remove}, which writes no tombstone.
   */
  public void delist(Collection<String> streams) {
    List<String> copy = List.copyOf(streams);
    context.runOnContext(v -> {
      copy.forEach(wanted::remove);
      for (String s : copy) {
        if (sender != null) {
          sender.delist(symbolOf(s));
        }
      }
    });
  }

  private static String symbolOf(String stream) {
    try {
      return StreamName.parse(stream).symbol();
    } catch (InvalidStreamNameException e) {
      throw new IllegalArgumentException(e); // the engine builds every stream name with StreamName
    }
  }

  /** Removes streams; callable from any thread. */
  public void remove(Collection<String> streams) {
    List<String> copy = List.copyOf(streams);
    context.runOnContext(v -> copy.forEach(wanted::remove));
  }

  /** Lets ticks reach Kafka, none at or below {@code floor} (the previous owner's last {@code u}). Any thread. */
  public void startWriting(Map<String, Long> floor) {
    Map<String, Long> copy = Map.copyOf(floor);
    context.runOnContext(v -> {
      if (!stopped) {
        writing = true;
        sender.release(copy);
      }
    });
  }

  /**
   * Sends nothing more; completes, on the chunk's context, with the last {@code u} sent per symbol once no record
   * of this chunk is in flight (or after {@code timeoutMillis}). Any thread.
   */
  public Future<Map<String, Long>> stopWriting(long timeoutMillis) {
    Promise<Map<String, Long>> floor = Promise.promise();
    context.runOnContext(v -> {
      writing = false;
      Map<String, Long> last = sender.lastSent();
      sender.close();
      awaitDrained(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), () -> floor.complete(last));
    });
    return floor.future();
  }

  private void awaitDrained(long deadlineNanos, Runnable then) {
    if (sender.inFlight() == 0 || System.nanoTime() >= deadlineNanos) {
      then.run();
    } else {
      vertx.setTimer(ConflatingKafkaSender.RETRY_MILLIS, t -> awaitDrained(deadlineNanos, then));
    }
  }

  /** True while this chunk's ticks go to Kafka. Any thread. */
  public boolean isWriting() {
    return writing;
  }

  /** The chunk's name, the same on every node: {@code slot/K} ({@link ChunkLayout}). */
  public String key() {
    return key;
  }

  /** Streams this chunk wants; a copy taken on the chunk's context. */
  public Future<List<String>> streams() {
    Promise<List<String>> p = Promise.promise();
    context.runOnContext(v -> p.complete(List.copyOf(wanted)));
    return p.future();
  }

  /** Ticks waiting for Kafka in this chunk; a racy read, fine for a gauge. */
  public int pendingCount() {
    ConflatingKafkaSender s = sender;
    return s == null ? 0 : s.pendingCount();
  }

  /** True while a connection is open and delivering ticks. Any thread. */
  public boolean isStreaming() {
    return streaming;
  }

  public int id() {
    return id;
  }

  Context context() {
    return context;
  }

  // ---- connections

  private void open(String reason) {
    if (stopped || opening) {
      return;
    }
    long wait = budget.tryAcquire(System.currentTimeMillis());
    if (wait > 0) {
      opening = true;
      vertx.setTimer(wait, t -> {
        opening = false;
        open(reason);
      });
      return;
    }
    opening = true;
    List<String> streams = List.copyOf(wanted);
    int connectionId = (int) (id * 1000 + (++connectionSeq % 1000));
    client.connect(endpoint.combined(streams)).onComplete(ar -> {
      opening = false;
      if (stopped) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.failed()) {
        onOpenFailed(ar.cause());
        return;
      }
      ExchangeConnection c = new ExchangeConnection(connectionId, ar.result(), streams, this, drops, framesIn, recorder);
      if (current == null) {
        current = c;
        log.info("Chunk {}: connection {} open with {} streams ({})", key, connectionId, streams.size(), reason);
      } else {
        successor = c;
        log.info("Chunk {}: connection {} open to replace {} ({})", key, connectionId, current.id(), reason);
        vertx.setTimer(config.get(IngestSettings.REPLACEMENT_TIMEOUT).toMillis(), t -> {
          if (successor == c) {
            promote();
          }
        });
      }
    });
  }

  private void onOpenFailed(Throwable cause) {
    String tag = "error";
    if (cause instanceof UpgradeRejectedException rejected) {
      tag = "rejected";
      int status = rejected.getStatus();
      if (status == 429 || status == 418) {
        long retryAfter = retryAfterMillis(rejected);
        budget.blockUntil(System.currentTimeMillis() + retryAfter);
        log.warn("Chunk {}: exchange answered HTTP {}; no connection attempt for {} ms", key, status, retryAfter);
      }
    }
    registry.counter(IngestMetrics.RECONNECTS, "cause", tag).increment();
    long delay = backoff.nextDelayMillis();
    log.warn("Chunk {}: connection failed ({}); retrying in {} ms", key, cause.getMessage(), delay);
    vertx.setTimer(Math.max(1, delay), t -> open("retry"));
  }

  static long retryAfterMillis(UpgradeRejectedException rejected) {
    String value = rejected.getHeaders() == null ? null : rejected.getHeaders().get("Retry-After");
    if (value != null) {
      try {
        return Math.max(0, Long.parseLong(value.trim())) * 1000;
      } catch (NumberFormatException ignored) {
        // An HTTP date: rare from Binance; fall back to the default below.
      }
    }
    return 60_000;
  }

  private void promote() {
    ExchangeConnection old = current;
    current = successor;
    successor = null;
    if (old != null) {
      old.retire();
      log.info("Chunk {}: connection {} took over from {}", key, current.id(), old.id());
    }
    if (current.isShutdownAnnounced()) {
      // The successor opened before the exchange's notice and got it too: it will be closed as well.
      replace("server-shutdown");
    }
  }

  /** Make-before-break: opens a successor while the current connection keeps delivering. */
  private void replace(String cause) {
    if (successor != null || opening) {
      return;
    }
    registry.counter(IngestMetrics.RECONNECTS, "cause", cause).increment();
    open(cause);
  }

  private void checkHealth() {
    long now = System.nanoTime();
    ExchangeConnection c = current;
    streaming = c != null && c.hasTicked() && c.nanosSinceLastTick(now) < watchdogNanos;
    if (c == null || successor != null) {
      return;
    }
    if (c.ageNanos(now) >= maxAgeNanos) {
      replace("max-age");
    } else if (c.nanosSinceLastTick(now) >= watchdogNanos && !wanted.isEmpty()) {
      log.warn("Chunk {}: no data on connection {} for {} ms; replacing it", key, c.id(), IngestDrops.millis(c.nanosSinceLastTick(now)));
      replace("watchdog");
    }
  }

  /** Sends one control message if the connection carries other streams than wanted. */
  private void reconcile() {
    ExchangeConnection c = current;
    if (c == null || c.isClosed()) {
      return;
    }
    List<String> add = new ArrayList<>();
    for (String s : wanted) {
      if (!c.subscribed().contains(s) && add.size() < STREAMS_PER_CONTROL_MESSAGE) {
        add.add(s);
      }
    }
    if (!add.isEmpty()) {
      c.control("SUBSCRIBE", add);
      return;
    }
    List<String> drop = new ArrayList<>();
    for (String s : c.subscribed()) {
      if (!wanted.contains(s) && drop.size() < STREAMS_PER_CONTROL_MESSAGE) {
        drop.add(s);
      }
    }
    if (!drop.isEmpty()) {
      c.control("UNSUBSCRIBE", drop);
    }
  }

  // ---- ExchangeConnection.Listener

  @Override
  public void onTick(ExchangeConnection connection, BookTicker tick) {
    if (connection == successor) {
      promote();
    }
    if (connection == current) {
      backoff.reset();
      streaming = true;
    }
    sender.offer(tick);
  }

  @Override
  public void onServerShutdown(ExchangeConnection connection) {
    serverShutdowns.increment();
    log.info("Chunk {}: exchange announced serverShutdown on connection {}", key, connection.id());
    // A successor that got the notice is replaced once it takes over (promote); if a successor is already
    // on its way for the current connection, that one serves.
    if (connection == current) {
      replace("server-shutdown");
    }
  }

  @Override
  public void onClosed(ExchangeConnection connection, String cause) {
    if (connection.isRetired() || stopped) {
      return;
    }
    if (connection == successor) {
      successor = null;
      log.warn("Chunk {}: replacement connection {} {}", key, connection.id(), cause);
      return;
    }
    if (connection != current) {
      return;
    }
    current = null;
    streaming = false;
    if (successor != null) {
      promote();
      return;
    }
    registry.counter(IngestMetrics.RECONNECTS, "cause", "closed").increment();
    long delay = backoff.nextDelayMillis();
    log.warn("Chunk {}: connection {} {}; reconnecting in {} ms", key, connection.id(), cause, delay);
    vertx.setTimer(Math.max(1, delay), t -> open("reconnect"));
  }
}
