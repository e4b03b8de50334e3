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
  /** The age of each connection's view of each symbol, {@code now - pt} of its newest tick, sampled ({@code loadgen.view-age}). */
  final Recorder viewAge = new Recorder(3);
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
  /** Connections that stopped reading after their first tick ({@code loadgen.stalled-percent}). */
  final LongAdder stalled = new LongAdder();
  /** Ticks those connections received before they stopped reading (counted nowhere else). */
  final LongAdder stalledTicks = new LongAdder();
  /** Closes by the server of connections meant to stall, apart from the healthy ones' {@link #closesByCode}. */
  final Map<Integer, LongAdder> stalledClosesByCode = new ConcurrentHashMap<>();

  /** Connections open now. */
  public long openNow() {
    return open.sum();
  }

  /** Ticks received so far. */
  public long ticksNow() {
    return ticks.sum();
  }

  /** Connections that have stopped reading so far. */
  public long stalledNow() {
    return stalled.sum();
  }

  void closedBy(int code) {
    closesByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  void stalledClosedBy(int code) {
    stalledClosesByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  /** Reader side only: the histograms handed back to the recorders at the next swap. */
  private Histogram recycle;
  private Histogram recycleFanout;
  private Histogram recycleView;

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

  /** As {@link #interval()}, for the view-age samples. */
  Histogram viewAgeInterval() {
    recycleView = viewAge.getIntervalHistogram(recycleView);
    return recycleView;
  }

  static Map<Integer, Long> closes(Iterable<LaneStats> lanes, boolean ofStalled) {
    Map<Integer, Long> out = new TreeMap<>();
    for (LaneStats l : lanes) {
      (ofStalled ? l.stalledClosesByCode : l.closesByCode).forEach((code, n) -> out.merge(code, n.sum(), Long::sum));
    }
    return out;
  }
}
