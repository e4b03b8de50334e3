package io.tickstream.fanout.impl.session;

import io.tickstream.fanout.impl.metrics.SendCounters;
import io.tickstream.fanout.impl.source.EncodedTick;
import io.tickstream.fanout.impl.transport.FrameSink;
import io.tickstream.fanout.impl.transport.SlowLinkFit;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Sends one connection's ticks, conflating while the connection cannot keep up.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>While the transport is writable and nothing is pending, a tick is written at once: no timer, no
 *       batching delay. The dispatcher flushes once per Kafka batch, after the last connection's write.</li>
 *   <li>While it is not writable, each subscription keeps only its newest pending tick (per symbol for
 *       {@code !bookTicker}); an older pending tick is replaced and counted as a conflated drop. Memory per
 *       connection is bounded by its subscriptions (times the symbols for {@code !bookTicker}), whatever the
 *       client does. <b>A receiver that cannot keep up loses intermediate ticks; loss is not an error.</b></li>
 *   <li>"Not writable" comes early on purpose: the transport's queue is small ({@code fanout.write-queue-bytes}) and
 *       the socket keeps little unsent ({@code fanout.tcp-notsent-lowat}), so what waits for a slow client waits
 *       here, where a newer tick replaces it, and not in buffers that would deliver it stale. Before conflating, a
 *       sender that wrote in this pass flushes once: a fast client's socket takes the burst and nothing is lost.</li>
 *   <li>When the transport drains, pending ticks go out oldest first: subscriptions in the order they fell behind,
 *       and {@code !bookTicker}'s symbols in the order each fell behind, only as long as the transport stays
 *       writable (the rest keep their place). So when a link cannot carry one update per symbol, every symbol's view
 *       still ages at the same pace, none starves. Per symbol and stream, {@code u} never decreases: ticks arrive
 *       in increasing {@code u} from the dispatcher and a pending tick is only ever replaced by a newer one.</li>
 *   <li>A connection that reads nothing for the grace period ({@code fanout.slow-client-grace}) is closed with
 *       1013 ("try again later"), counted from the last moment the node could write to it, which is within the
 *       buffers' worth (about a second) of its last read. One that reads, however slowly, makes the transport
 *       writable again from time to time and is never closed for being slow: it gets conflated data.</li>
 *   <li>A throttled subscription ({@code @100ms}..{@code @1000ms}) writes at most one update per interval:
 *       the first tick after a quiet interval goes out at once, later ones wait (conflated) for a one-shot
 *       timer at the end of the interval.</li>
 * </ul>
 *
 * <p>Layering: a sender knows its {@link FrameSink}, its loop's {@link SendLoop} (clock, timers, counters, flush
 * pass) and the {@link Subscription}s it is offered; not the session that owns it nor the dispatcher that offers
 * ticks. The session tells it the connection's format ({@link #combined}) and what to do with a stalled client.
 *
 * <p>Threading: every method runs on the connection's event loop. Allocation: none on the writable path
 * beyond the channel's frame view; a deque and, for {@code !bookTicker}, a map once a connection first falls
 * behind.
 */
public final class ConflatingSender {

  /** WebSocket close code 1013: try again later. */
  public static final short CLOSE_TRY_AGAIN_LATER = 1013;

  private final SendLoop loop;
  private final SendCounters counters;
  private final FrameSink sink;
  private final Runnable onStalled;
  /** The connection's {@code combined} property, set by its session: which frame of a tick it is sent. */
  boolean combined;
  private boolean closed;
  private ArrayDeque<Subscription> backlog;
  private long graceTimer = -1;
  /** Fits a slow client's buffers to its bandwidth; made at the first backlog, none for a client that keeps up. */
  private SlowLinkFit fit;
  /** The last time the transport was found writable: the client was reading up to then. */
  private long lastWritableMillis;
  private boolean dirty;
  /** Oldest {@code ft} among the live ticks written since the last flush; {@link Long#MAX_VALUE} if none. */
  private long oldestFtMicros = Long.MAX_VALUE;

  /**
   * @param onStalled called once when the grace period runs out with ticks still pending; it must close the
   *     connection (the sender then counts a slow-client close)
   */
  ConflatingSender(SendLoop loop, FrameSink sink, boolean combined, Runnable onStalled) {
    this.loop = loop;
    this.counters = loop.counters;
    this.sink = sink;
    this.combined = combined;
    this.onStalled = onStalled;
    this.lastWritableMillis = loop.nowMillis();
  }

  /** Offers {@code tick} for {@code s}: written now, or kept as the subscription's newest pending tick. */
  public void offer(Subscription s, EncodedTick tick, long nowMillis) {
    if (s.intervalMillis > 0 && (s.timerId != -1 || s.queued || nowMillis - s.lastSentMillis < s.intervalMillis)) {
      pend(s, tick);
      if (!s.queued && s.timerId == -1) {
        long delay = Math.max(1, s.lastSentMillis + s.intervalMillis - nowMillis);
        s.timerId = loop.timers.setTimer(delay, id -> onThrottleTimer(s));
      }
      return;
    }
    if (s.queued || (backlog != null && !backlog.isEmpty()) || !writableFlushingOnce()) {
      pend(s, tick);
      enqueue(s);
      return;
    }
    lastWritableMillis = nowMillis;
    send(s, tick, nowMillis);
  }

  /**
   * Writable now? If not and this sender wrote since its last flush, it flushes first and asks again: the queue may
   * be full only of this pass's writes, which a fast client's socket takes at once (one more syscall, and only when
   * a pass wrote more than the queue holds). A drain this flush reports runs {@link #onDrain} inside it, which finds
   * nothing pending.
   */
  private boolean writableFlushingOnce() {
    if (sink.writable()) {
      return true;
    }
    if (dirty) {
      flush();
      return sink.writable();
    }
    return false;
  }

  private void onThrottleTimer(Subscription s) {
    s.timerId = -1;
    if (closed || !s.hasPending()) {
      return;
    }
    if ((backlog == null || backlog.isEmpty()) && sink.writable()) {
      boolean all = sendPending(s, loop.nowMillis());
      loop.flushDirty();
      if (!all) {
        enqueue(s);
      }
    } else {
      enqueue(s);
    }
  }

  /** The transport drained: send what is pending, as far as it stays writable. */
  public void onDrain() {
    if (closed || backlog == null) {
      return;
    }
    long now = loop.nowMillis();
    if (!sink.writable()) {
      // A drain of the queue while the socket still holds too much unsent (a slow client's fit), or such a look again.
      recheckLater();
      return;
    }
    cancelGrace();
    lastWritableMillis = now;
    if (fit != null && !backlog.isEmpty()) {
      fit.drained(now);
    }
    while (!backlog.isEmpty() && sink.writable()) {
      Subscription s = backlog.peek();
      if (s.intervalMillis > 0 && now - s.lastSentMillis < s.intervalMillis) {
        backlog.poll();
        s.queued = false;
        if (s.timerId == -1) {
          s.timerId = loop.timers.setTimer(Math.max(1, s.lastSentMillis + s.intervalMillis - now),
              id -> onThrottleTimer(s));
        }
      } else if (sendPending(s, now)) {
        backlog.poll();
        s.queued = false;
      }
    }
    loop.flushDirty();
    if (!backlog.isEmpty()) {
      startGrace();
      recheckLater();
    } else if (fit != null) {
      fit.backlogEnded(now);
    }
  }

  /**
   * If the sink waits for its socket's unsent bytes, looks again once the excess should have gone at the link's
   * measured rate ({@link SlowLinkFit#recheckMillis}): no event will say when the kernel has sent them.
   */
  private void recheckLater() {
    if (fit == null || fit.recheckTimer != -1) {
      return;
    }
    long excess = sink.unsentExcess();
    if (excess >= 0) {
      fit.recheckTimer = loop.timers.setTimer(fit.recheckMillis(excess), id -> {
        fit.recheckTimer = -1;
        onDrain();
      });
    }
  }

  private void send(Subscription s, EncodedTick tick, long nowMillis) {
    sink.write(tick.frame(combined, s.stream, loop.encoder));
    counters.framesOut++;
    s.lastSentMillis = nowMillis;
    // A snapshot tick's ft may be minutes old: it is no measure of this node's delay, so it is left out.
    if (!loop.snapshotting && tick.ftMicros < oldestFtMicros) {
      oldestFtMicros = tick.ftMicros;
    }
    if (!dirty) {
      dirty = true;
      loop.markDirty(this);
    }
  }

  /**
   * Sends what {@code s} has pending: its one tick, or {@code !bookTicker}'s oldest first for as long as the transport
   * stays writable. True if nothing is left pending.
   */
  private boolean sendPending(Subscription s, long nowMillis) {
    if (s.pending != null) {
      EncodedTick t = s.pending;
      s.pending = null;
      counters.pendingTicks--;
      send(s, t, nowMillis);
      loop.recordLatency(t);
    }
    if (s.pendingBySymbol != null && !s.pendingBySymbol.isEmpty()) {
      Iterator<EncodedTick> it = s.pendingBySymbol.values().iterator();
      while (it.hasNext() && sink.writable()) {
        EncodedTick t = it.next();
        it.remove();
        counters.pendingTicks--;
        send(s, t, nowMillis);
      }
      return s.pendingBySymbol.isEmpty();
    }
    return true;
  }

  private void pend(Subscription s, EncodedTick tick) {
    EncodedTick previous;
    if (s.slot != null) {
      previous = s.pending;
      s.pending = tick;
    } else {
      if (s.pendingBySymbol == null) {
        s.pendingBySymbol = new LinkedHashMap<>();
      }
      previous = s.pendingBySymbol.put(tick.symbol(), tick);
    }
    if (previous != null) {
      counters.conflatedDrops++;
    } else {
      counters.pendingTicks++;
    }
  }

  private void enqueue(Subscription s) {
    if (!s.queued) {
      if (backlog == null) {
        backlog = new ArrayDeque<>(4);
      }
      if (backlog.isEmpty()) {
        if (fit == null) {
          fit = new SlowLinkFit(sink);
        }
        fit.backlogStarted(loop.nowMillis());
        recheckLater();
      }
      s.queued = true;
      backlog.add(s);
    }
    startGrace();
  }

  /** Arms the slow-client timer for the grace after the last moment the transport was writable. */
  private void startGrace() {
    if (graceTimer == -1) {
      long delay = Math.max(1, lastWritableMillis + loop.slowClientGraceMillis - loop.nowMillis());
      graceTimer = loop.timers.setTimer(delay, id -> {
        graceTimer = -1;
        if (closed || backlog == null || backlog.isEmpty()) {
          return;
        }
        if (loop.nowMillis() - lastWritableMillis < loop.slowClientGraceMillis) {
          startGrace();
        } else {
          counters.slowClientCloses++;
          onStalled.run();
        }
      });
    }
  }

  private void cancelGrace() {
    if (graceTimer != -1) {
      loop.timers.cancelTimer(graceTimer);
      graceTimer = -1;
    }
  }

  /**
   * Flushes what {@link #send} wrote since the last flush. Called by the dispatcher at the end of a batch.
   *
   * <p>Then hands the dispatcher the oldest live {@code ft} of this flush for {@code ft → flush}: one array store per
   * flush, whatever the number of ticks it carried; the dispatcher reads the clock once per pass and buckets them.
   */
  void flush() {
    if (dirty) {
      dirty = false;
      sink.flush();
      if (oldestFtMicros != Long.MAX_VALUE) {
        loop.flushed(oldestFtMicros);
        oldestFtMicros = Long.MAX_VALUE;
      }
    }
  }

  /** Forgets {@code s}: its pending ticks, its timer, its place in the backlog. */
  void discard(Subscription s) {
    counters.pendingTicks -= s.pendingCount();
    s.pending = null;
    s.pendingBySymbol = null;
    if (s.timerId != -1) {
      loop.timers.cancelTimer(s.timerId);
      s.timerId = -1;
    }
    if (s.queued) {
      backlog.remove(s);
      s.queued = false;
    }
  }

  /** The connection closed: stop the grace timer and ignore drains and timers from now on (subscriptions are
   * discarded one by one). */
  void close() {
    closed = true;
    cancelGrace();
    if (fit != null && fit.recheckTimer != -1) {
      loop.timers.cancelTimer(fit.recheckTimer);
      fit.recheckTimer = -1;
    }
  }
}
