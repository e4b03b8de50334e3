package io.tickstream.loadgen.impl;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the connections of one event loop saw. Written by that loop's connections, read once a second by the
 * reporter. No locks on the write path: the {@link Recorder} is wait-free, the counters are uncontended
 * {@link LongAdder}s (one writer thread per lane).
 */
public final class LaneStats {

  /** Latency in µs, 3 significant digits, auto-resizing so no sample is ever out of range. */
  final Recorder latency = new Recorder(3);
  /** The fanout-to-client part of it, {@code now - ft} in µs: tells the node's share from the ingest and Kafka's. */
  final Recorder fanoutLatency = new Recorder(3);
  final LongAdder ticks = new LongAdder();
  final LongAdder snapshots = new LongAdder();
  final LongAdder conflated = new LongAdder();
  final LongAdder notAdvanced = new LongAdder();
  final LongAdder otherMessages = new LongAdder();
  final LongAdder shutdownNotices = new LongAdder();
  final LongAdder opened = new LongAdder();
  final LongAdder open = new LongAdder();
  final LongAdder connectErrors = new LongAdder();
  final LongAdder withTicks = new LongAdder();
  final Map<Integer, LongAdder> closesByCode = new ConcurrentHashMap<>();

  /** Connections open now. */
  public long openNow() {
    return open.sum();
  }

  /** Ticks received so far. */
  public long ticksNow() {
    return ticks.sum();
  }

  void closedBy(int code) {
    closesByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  /** Reader side only: the histograms handed back to the recorders at the next swap. */
  private Histogram recycle;
  private Histogram recycleFanout;

  /** The samples since the previous call; for the reporter only (one reader), valid until the next call. */
  Histogram interval() {
    recycle = latency.getIntervalHistogram(recycle);
    return recycle;
  }

  /** As {@link #interval()}, for {@code now - ft}. */
  Histogram fanoutInterval() {
    recycleFanout = fanoutLatency.getIntervalHistogram(recycleFanout);
    return recycleFanout;
  }

  static Map<Integer, Long> closes(Iterable<LaneStats> lanes) {
    Map<Integer, Long> out = new TreeMap<>();
    for (LaneStats l : lanes) {
      l.closesByCode.forEach((code, n) -> out.merge(code, n.sum(), Long::sum));
    }
    return out;
  }
}
