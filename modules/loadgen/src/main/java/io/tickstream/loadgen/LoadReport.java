package io.tickstream.loadgen;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a run: end-to-end latency ({@code now - pt}, µs) and counts. Latency samples are live ticks
 * only; the first tick of each symbol on each connection is the node's snapshot and is counted apart.
 *
 * <p>With {@code loadgen.stalled-percent}, the connection counts ({@code connectionsOpened},
 * {@code connectionsWithTicks}, {@code connectErrors}) cover every connection; closes, messages and latency
 * describe the healthy connections only, and {@link #stalled()} the ones that stopped reading.
 */
public record LoadReport(String url, String mode, int connectionsRequested, int symbolsPerConnection,
                         double seconds, long connectionsOpened, long connectionsWithTicks, long connectErrors,
                         Map<Integer, Long> closesByCode, long ticks, long snapshots, long conflated,
                         long notAdvanced, long otherMessages, long shutdownNotices, Histogram latencyMicros,
                         Histogram fanoutToClientMicros, Histogram steadyLatencyMicros, Steady steady,
                         Stalled stalled, List<Window> windows) {

  /**
   * One {@code loadgen.window} of the run: how old the ticks received in it were ({@code now - pt}), and how old the
   * connections' view of each symbol was when sampled in it ({@code loadgen.view-age}; no samples without it).
   *
   * @param fromSeconds its start, since the start of the run
   * @param toSeconds its end
   * @param ticks ticks received in it, snapshots included
   * @param conflated updates the node conflated away in it ({@code u} gaps)
   */
  public record Window(double fromSeconds, double toSeconds, long ticks, long conflated, Ages received, Ages view) {

    /** Percentiles of one histogram (µs); all 0 without samples. */
    public record Ages(long samples, long p50, long p99, long max) {
      public static Ages of(Histogram h) {
        long n = h.getTotalCount();
        return n == 0 ? new Ages(0, 0, 0, 0)
            : new Ages(n, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
      }

      JsonObject toJson() {
        return new JsonObject().put("samples", samples).put("p50", p50).put("p99", p99).put("max", max);
      }
    }

    /** {@code window 10-20s ticks=... age p50=... p99=... max=... view p50=... p99=... max=...}. */
    public String line() {
      String s = String.format(Locale.ROOT, "window %.0f-%.0fs ticks=%d conflated=%d age p50=%s p99=%s max=%s", fromSeconds,
          toSeconds, ticks, conflated, micros(received.p50()), micros(received.p99()), micros(received.max()));
      return view.samples() == 0 ? s
          : s + String.format(Locale.ROOT, " view p50=%s p99=%s max=%s", micros(view.p50()), micros(view.p99()),
              micros(view.max()));
    }

    JsonObject toJson() {
      return new JsonObject().put("fromSeconds", fromSeconds).put("toSeconds", toSeconds).put("ticks", ticks)
          .put("conflatedUpdates", conflated)
          .put("ageMicros", received.toJson()).put("viewAgeMicros", view.toJson());
    }
  }

  /**
   * The steady state: from the end of the settle period ({@code loadgen.settle}, counted from when every
   * connection had opened or failed) to the end of the run. Zero seconds if the run ended before it began.
   *
   * @param seconds its length
   * @param ticks ticks the healthy connections received in it, snapshots included
   */
  public record Steady(double seconds, long ticks) {

    public double ticksPerSecond() {
      return seconds > 0 ? ticks / seconds : 0;
    }
  }

  /**
   * The connections made to stop reading after their first tick.
   *
   * @param percent the share asked for ({@code loadgen.stalled-percent})
   * @param planned how many connections of the run that share is
   * @param connections how many did stop reading (a planned one that never got a tick never stalled)
   * @param ticksBeforeStalling ticks they received before they stopped reading
   * @param closesByCode closes by the server of the planned connections, by close code (1006: no close frame)
   */
  public record Stalled(double percent, long planned, long connections, long ticksBeforeStalling,
                        Map<Integer, Long> closesByCode) {

    /** How many of them the server closed, whatever the code. */
    public long closedByServer() {
      return closesByCode.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  public double ticksPerSecond() {
    return seconds > 0 ? ticks / seconds : 0;
  }

  public long latencySamples() {
    return latencyMicros.getTotalCount();
  }

  public long percentileMicros(double p) {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(p);
  }

  public long maxMicros() {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue();
  }

  /** The text summary printed at the end of a run. */
  public String summary() {
    return String.format(Locale.ROOT, """
        loadgen summary: %s %s, %d connections x %d symbols, %.1f s
          connections: %d opened, %d received ticks, %d connect errors, closes by server %s
        %s  messages: %d ticks (%.0f msgs/s), %d snapshots, %d live, %d conflated updates skipped, %d out of order, %d other, %d shutdown notices
          latency (now - pt, %d samples): p50 %s, p99 %s, p99.9 %s, max %s
          of which fanout to client (now - ft): p50 %s, p99 %s, max %s
          steady state (%.1f s after the ramp and settle, %.0f msgs/s, %d samples): p50 %s, p99 %s, p99.9 %s, max %s
        """, mode, url, connectionsRequested, symbolsPerConnection, seconds, connectionsOpened, connectionsWithTicks,
        connectErrors, closesByCode, stalledLine(), ticks, ticksPerSecond(), snapshots, latencySamples(), conflated,
        notAdvanced, otherMessages, shutdownNotices, latencySamples(), micros(percentileMicros(50)), micros(percentileMicros(99)),
        micros(percentileMicros(99.9)), micros(maxMicros()), micros(at(fanoutToClientMicros, 50)),
        micros(at(fanoutToClientMicros, 99)), micros(at(fanoutToClientMicros, 100)),
        steady.seconds(), steady.ticksPerSecond(), steadyLatencyMicros.getTotalCount(), micros(at(steadyLatencyMicros, 50)), micros(at(steadyLatencyMicros, 99)),
        micros(at(steadyLatencyMicros, 99.9)), micros(at(steadyLatencyMicros, 100)));
  }

  /** Only when some connections were meant to stall: the line is about them, so it is absent otherwise. */
  private String stalledLine() {
    if (stalled.planned() == 0) {
      return "";
    }
    return String.format(Locale.ROOT,
        "  stalled (%s%% = %d connections, counted only here and in the connection counts): %d stopped reading"
            + " after %d ticks, %d closed by server %s%n", plain(stalled.percent()), stalled.planned(),
        stalled.connections(), stalled.ticksBeforeStalling(), stalled.closedByServer(), stalled.closesByCode());
  }

  private static String plain(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static long at(Histogram h, double p) {
    return h.getTotalCount() == 0 ? 0 : p >= 100 ? h.getMaxValue() : h.getValueAtPercentile(p);
  }

  /** {@code 412 µs} below a millisecond, {@code 3.27 ms} above. */
  public static String micros(long us) {
    return us < 1000 ? us + " µs" : String.format(Locale.ROOT, "%.2f ms", us / 1000.0);
  }

  private static JsonObject codes(Map<Integer, Long> byCode) {
    JsonObject json = new JsonObject();
    byCode.forEach((code, n) -> json.put(String.valueOf(code), n));
    return json;
  }

  /** The same as {@link #summary()}, plus the percentile distribution, for {@code --json-out}. */
  public JsonObject toJson() {
    JsonObject closes = codes(closesByCode);
    JsonArray distribution = new JsonArray();
    if (latencySamples() > 0) {
      for (HistogramIterationValue v : latencyMicros.percentiles(5)) {
        distribution.add(new JsonObject().put("percentile", v.getPercentileLevelIteratedTo())
            .put("valueMicros", v.getValueIteratedTo()).put("totalCount", v.getTotalCountToThisValue()));
      }
    }
    return new JsonObject()
        .put("url", url).put("mode", mode).put("connections", connectionsRequested)
        .put("symbolsPerConnection", symbolsPerConnection).put("seconds", seconds)
        .put("connectionsOpened", connectionsOpened).put("connectionsWithTicks", connectionsWithTicks)
        .put("connectErrors", connectErrors).put("closesByCode", closes)
        .put("ticks", ticks).put("messagesPerSecond", ticksPerSecond()).put("snapshots", snapshots)
        .put("conflatedUpdates", conflated).put("outOfOrder", notAdvanced).put("otherMessages", otherMessages)
        .put("shutdownNotices", shutdownNotices)
        .put("stalled", new JsonObject()
            .put("percent", stalled.percent()).put("planned", stalled.planned())
            .put("connections", stalled.connections()).put("ticksBeforeStalling", stalled.ticksBeforeStalling())
            .put("closedByServer", stalled.closedByServer()).put("closesByCode", codes(stalled.closesByCode())))
        .put("latencyMicros", new JsonObject()
            .put("samples", latencySamples())
            .put("min", latencySamples() == 0 ? 0 : latencyMicros.getMinValue())
            .put("mean", latencySamples() == 0 ? 0 : latencyMicros.getMean())
            .put("p50", percentileMicros(50)).put("p90", percentileMicros(90)).put("p99", percentileMicros(99))
            .put("p99.9", percentileMicros(99.9)).put("p99.99", percentileMicros(99.99)).put("max", maxMicros())
            .put("percentiles", distribution))
        .put("steadyLatencyMicros", new JsonObject()
            .put("samples", steadyLatencyMicros.getTotalCount()).put("seconds", steady.seconds())
            .put("messagesPerSecond", steady.ticksPerSecond()).put("p50", at(steadyLatencyMicros, 50))
            .put("p99", at(steadyLatencyMicros, 99)).put("p99.9", at(steadyLatencyMicros, 99.9))
            .put("max", at(steadyLatencyMicros, 100)))
        .put("fanoutToClientMicros", new JsonObject()
            .put("samples", fanoutToClientMicros.getTotalCount()).put("p50", at(fanoutToClientMicros, 50))
            .put("p99", at(fanoutToClientMicros, 99)).put("p99.9", at(fanoutToClientMicros, 99.9))
            .put("max", at(fanoutToClientMicros, 100)))
        .put("windows", new JsonArray(windows.stream().map(Window::toJson).toList()));
  }
}
