package io.tickstream.loadgen.impl;

import io.tickstream.loadgen.LoadReport;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sums the lanes: the reporter's view. Its methods are called once a second and once at the end, never on the
 * message path, so they simply synchronize. Each call drains the lanes' interval histograms into the run's total.
 */
public final class LoadTotals {

  private final List<Lane> lanes;
  private final Histogram total = new Histogram(3);
  private final Histogram totalFanout = new Histogram(3);
  /** Samples drained after {@link #steadyStart}: the steady state, without connection set-up or settling in it. */
  private final Histogram steady = new Histogram(3);
  private boolean steadyStarted;
  private double steadyStartSeconds;
  private long steadyStartTicks;
  private long lastTicks;
  private double lastSeconds;
  /** {@code loadgen.window} in seconds; 0: no windows. */
  private final double windowSeconds;
  private final Histogram window = new Histogram(3);
  private final Histogram windowView = new Histogram(3);
  private double windowStartSeconds;
  private long windowStartTicks;
  private long windowStartConflated;
  private final List<LoadReport.Window> windows = new ArrayList<>();

  public LoadTotals(List<Lane> lanes) {
    this(lanes, 0);
  }

  /** @param windowSeconds the length of the report's windows ({@code loadgen.window}); 0: none */
  public LoadTotals(List<Lane> lanes, double windowSeconds) {
    this.lanes = lanes;
    this.windowSeconds = windowSeconds;
  }

  /**
   * Counters at one moment. The connection counts ({@code opened}, {@code open}, {@code withTicks},
   * {@code connectErrors}) cover every connection; the rest describe the healthy ones, and the {@code stalled*}
   * fields the connections that stopped reading.
   */
  public record Snapshot(long opened, long open, long withTicks, long connectErrors, Map<Integer, Long> closesByCode,
                         long ticks, long snapshots, long conflated, long notAdvanced, long other,
                         long shutdownNotices, long stalled, long stalledTicks, Map<Integer, Long> stalledClosesByCode) {
  }

  public Snapshot snapshot() {
    long opened = 0, open = 0, with = 0, errors = 0, ticks = 0, snaps = 0, confl = 0, notAdv = 0, other = 0, shut = 0;
    long stalled = 0, stalledTicks = 0;
    for (Lane lane : lanes) {
      LaneStats s = lane.stats;
      opened += s.opened.sum();
      open += s.open.sum();
      with += s.withTicks.sum();
      errors += s.connectErrors.sum();
      ticks += s.ticks.sum();
      snaps += s.snapshots.sum();
      confl += s.conflated.sum();
      notAdv += s.notAdvanced.sum();
      other += s.otherMessages.sum();
      shut += s.shutdownNotices.sum();
      stalled += s.stalled.sum();
      stalledTicks += s.stalledTicks.sum();
    }
    List<LaneStats> stats = lanes.stream().map(l -> l.stats).toList();
    return new Snapshot(opened, open, with, errors, LaneStats.closes(stats, false), ticks, snaps, confl, notAdv, other,
        shut, stalled, stalledTicks, LaneStats.closes(stats, true));
  }

  /** Drains the lanes' samples since the last call into the total, and returns them. */
  private Histogram drainInterval() {
    Histogram interval = new Histogram(3);
    for (Lane lane : lanes) {
      interval.add(lane.stats.interval());
      totalFanout.add(lane.stats.fanoutInterval());
    }
    total.add(interval);
    if (steadyStarted) {
      steady.add(interval);
    }
    if (windowSeconds > 0) {
      window.add(interval);
      for (Lane lane : lanes) {
        windowView.add(lane.stats.viewAgeInterval());
      }
    }
    return interval;
  }

  /**
   * Closes the current window if it is {@code loadgen.window} long by {@code seconds} (call after
   * {@link #progressLine}): returns its line, or null if it is not over yet (or windows are off).
   */
  public synchronized String closeWindow(double seconds) {
    if (windowSeconds <= 0 || seconds - windowStartSeconds < windowSeconds - 0.5) {
      return null;
    }
    Snapshot s = snapshot();
    long ticks = s.ticks();
    LoadReport.Window w = new LoadReport.Window(windowStartSeconds, seconds, ticks - windowStartTicks,
        s.conflated() - windowStartConflated, LoadReport.Window.Ages.of(window), LoadReport.Window.Ages.of(windowView));
    windows.add(w);
    window.reset();
    windowView.reset();
    windowStartSeconds = seconds;
    windowStartTicks = ticks;
    windowStartConflated = s.conflated();
    return w.line();
  }

  /** The windows closed so far. */
  public synchronized List<LoadReport.Window> windows() {
    return List.copyOf(windows);
  }

  /** {@code t=3s open=2000 msgs/s=12345 p50=412 µs p99=2.10 ms ...} for the last interval. */
  public synchronized String progressLine(double seconds) {
    Histogram interval = drainInterval();
    Snapshot s = snapshot();
    double rate = seconds > lastSeconds ? (s.ticks() - lastTicks) / (seconds - lastSeconds) : 0;
    lastTicks = s.ticks();
    lastSeconds = seconds;
    boolean any = interval.getTotalCount() > 0;
    return String.format(Locale.ROOT, "t=%.0fs open=%d msgs/s=%.0f p50=%s p99=%s conflated=%d errors=%d closes=%s",
        seconds, s.open(), rate, any ? LoadReport.micros(interval.getValueAtPercentile(50)) : "-",
        any ? LoadReport.micros(interval.getValueAtPercentile(99)) : "-", s.conflated(), s.connectErrors(),
        s.closesByCode()) + (s.stalled() > 0 ? " stalled=" + s.stalled() : "");
  }

  /** The whole run's latency histogram (µs); drains what the lanes still hold. */
  public synchronized Histogram mergeLatency() {
    drainInterval();
    return total.copy();
  }

  /**
   * The steady state starts: every connection has been opened (or has failed) and the settle period is over, so
   * samples drained from now on also count as steady state. Samples recorded before this call and not drained
   * yet still count as ramp, which errs on the safe side.
   *
   * @param seconds since the start of the run
   */
  public synchronized void steadyStart(double seconds) {
    drainInterval();
    steadyStarted = true;
    steadyStartSeconds = seconds;
    steadyStartTicks = snapshot().ticks();
  }

  /** Latency (µs) after {@link #steadyStart}; call after {@link #mergeLatency()}. */
  public synchronized Histogram steadyLatency() {
    return steady.copy();
  }

  /**
   * Ticks and time of the steady state, given the run's final tick count and length; zero if it never started.
   */
  public synchronized LoadReport.Steady steady(long endTicks, double endSeconds) {
    return steadyStarted
        ? new LoadReport.Steady(endSeconds - steadyStartSeconds, endTicks - steadyStartTicks)
        : new LoadReport.Steady(0, 0);
  }

  /** The whole run's {@code now - ft} histogram (µs); call after {@link #mergeLatency()}. */
  public synchronized Histogram fanoutLatency() {
    return totalFanout.copy();
  }
}
