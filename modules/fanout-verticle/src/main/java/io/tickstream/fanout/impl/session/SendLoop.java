package io.tickstream.fanout.impl.session;

import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.fanout.impl.metrics.FtToFlushHistogram;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import io.tickstream.fanout.impl.metrics.SendCounters;
import io.tickstream.fanout.impl.source.EncodedTick;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * What the {@link ConflatingSender}s of one event loop share: the clock and timers, the loop's encoder (for lazily
 * built frame variants), the {@link SendCounters}, the {@code ft → flush} buckets, and the <b>flush pass</b>: the
 * senders written to since the last flush, each flushed once at the end of a batch.
 *
 * <p>Why a pass: a flush is a {@code write} syscall, and the syscall count per message is what a broadcast costs.
 * A sender marks itself dirty on its first write; whoever ends a unit of work (a tick batch, a drain, a throttle
 * timer, a new subscription's snapshot) calls {@link #flushDirty()} once.
 *
 * <p>Layering: the routing layer ({@link io.tickstream.fanout.impl.loop.LoopDispatcher}) and the sessions use this; it knows nothing of either.
 * Threading: confined to one event loop, except the counters and buckets, which metrics read racily.
 */
public final class SendLoop {

  final LoopTimers timers;
  final BookTickerEncoder encoder = new BookTickerEncoder();
  public final SendCounters counters = new SendCounters();
  final long slowClientGraceMillis;
  private final NodeMetrics metrics;
  /**
   * Ping payloads: a client must echo one to count as alive, so they must be unguessable, even by a client that reads
   * its own pings on another connection to this loop (a seeded generator would give the next payloads away). A few
   * per connection per minute: the cost of a cryptographic generator does not matter.
   */
  private final SecureRandom pingRandom = new SecureRandom();
  /** A snapshot is being offered: its ticks' {@code ft} may be minutes old and is no latency of ours. */
  public boolean snapshotting;
  private final ArrayList<ConflatingSender> dirty = new ArrayList<>();
  /** {@link #flushDirty()} is running: a drain inside it must not start another pass over {@link #dirty}. */
  private boolean flushing;
  /** The oldest live {@code ft} of each connection flushed in the running pass, bucketed when the pass ends. */
  private long[] passFts = new long[64];
  private int passFtCount;

  public SendLoop(LoopTimers timers, long slowClientGraceMillis, NodeMetrics metrics) {
    this.timers = timers;
    this.slowClientGraceMillis = slowClientGraceMillis;
    this.metrics = metrics;
  }

  public long nowMillis() {
    return timers.nowMillis();
  }

  /** A fresh random ping payload. */
  long pingPayload() {
    return pingRandom.nextLong();
  }

  void markDirty(ConflatingSender sender) {
    dirty.add(sender);
  }

  /**
   * One flush per sender written since the last call: the syscall count is what broadcast costs.
   *
   * <p>Re-entrant calls return at once. Netty reports a channel writable again from inside its flush, so a
   * connection's drain, which writes its pending ticks and calls this, can run inside this pass; the senders it
   * marks dirty are appended to the list and flushed by the running pass, which reads the size each round.
   *
   * <p>{@code ft → flush} reads the clock once, after the pass: every connection flushed in it is recorded against
   * that one instant (so a connection flushed early in a long pass is counted late by the rest of the pass).
   *
   * @return the wall clock (µs since the epoch) read after the pass, or 0 if no flush carried a live tick (then
   *     nothing read it)
   */
  public long flushDirty() {
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

  /** A sender flushed in the running pass; {@code oldestFtMicros} of the live ticks it carried. */
  public void flushed(long oldestFtMicros) {
    if (passFtCount == passFts.length) {
      passFts = Arrays.copyOf(passFts, passFtCount * 2);
    }
    passFts[passFtCount++] = oldestFtMicros;
  }

  /** Buckets the pass's samples against one clock read; a negative difference (clock stepped back) counts as 0. */
  private void recordFlushes(long nowMicros) {
    long[] fts = passFts;
    long[] buckets = counters.ftToFlushBuckets;
    long sum = 0;
    for (int i = 0, n = passFtCount; i < n; i++) {
      long micros = Math.max(0, nowMicros - fts[i]);
      buckets[FtToFlushHistogram.bucket(micros)]++;
      sum += micros;
    }
    counters.ftToFlushSumMicros += sum;
    passFtCount = 0;
  }

  /** {@code now - pt} of a tick written late (it was pending), against the clock now. */
  public void recordLatency(EncodedTick t) {
    metrics.recordLatency(t.tick.receiveTimeMicros(), NodeMetrics.nowMicros());
  }

  /** {@code now - pt} of a tick written by a batch, against the clock read after the batch's flush pass. */
  public void recordLatency(EncodedTick t, long nowMicros) {
    metrics.recordLatency(t.tick.receiveTimeMicros(), nowMicros);
  }
}
