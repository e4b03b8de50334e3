package io.tickstream.bench;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Turns {@code results.jsonl} of {@code bench/suite.sh} into the Markdown tables of {@code docs/benchmarks.md}:
 * per scenario and target the median of the repeated runs, with min–max, and tickstream's ratio to the baseline.
 * Usage: {@code java -cp tickstream-bench-*-all.jar io.tickstream.bench.SuiteSummary RESULTS_DIR}.
 */
public final class SuiteSummary {

  private static final String TICKSTREAM = "tickstream";
  private static final String BASELINE = "baseline";

  private SuiteSummary() {
  }

  /** The cells every latency-style table starts with: runs, connections, msgs/s, latency, conflated and CPU. */
  private static StringBuilder commonCells(StringBuilder sb, List<JsonObject> runs) {
    return sb.append(" | ").append(runs.size())
        .append(" | ").append(median(runs, r -> r.getInteger("connections", 0)))
        .append(" | ").append(median(runs, r -> r.getDouble("messagesPerSecond", 0.0)))
        .append(" | ").append(millis(runs, "p50")).append(" | ").append(millis(runs, "p99"))
        .append(" | ").append(millis(runs, "p99.9")).append(" | ").append(millis(runs, "max"))
        .append(" | ").append(median(runs, r -> r.getLong("conflated", 0L)))
        .append(" | ").append(median(runs, SuiteSummary::cores))
        .append(" | ").append(median(runs, SuiteSummary::cpuPerMillion));
  }

  public static void main(String[] args) throws Exception {
    List<JsonObject> results = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[0], "results.jsonl"))) {
      if (!line.isBlank()) {
        results.add(new JsonObject(line));
      }
    }
    System.out.print(summarise(results));
  }

  static String summarise(List<JsonObject> results) {
    StringBuilder sb = new StringBuilder("Latency is now - pt after every connection opened; † marks a cell where in at"
        + " least one run the connections were still opening when the run ended, so that run's whole-run figure is used.\n");
    for (String scenario : List.of("latency", "isolation")) {
      Map<Integer, List<JsonObject>> byRate = new TreeMap<>(java.util.Collections.reverseOrder());
      results.stream().filter(r -> scenario.equals(r.getString("scenario")))
          .forEach(r -> byRate.computeIfAbsent(r.getInteger("rate"), k -> new ArrayList<>()).add(r));
      byRate.forEach((rate, atRate) -> {
        Map<String, List<JsonObject>> byTarget = group(atRate, scenario, r -> r.getString("target"));
        sb.append("\n#### ").append(scenario).append(", feed ").append(rate).append(" ticks/s\n\n")
            .append("| target | runs | conns | delivered msgs/s | p50 | p99 | p99.9 | max | conflated | server CPU (cores) | CPU s per 1M msgs | closes | stalled |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        byTarget.forEach((target, runs) -> commonCells(sb.append("| ").append(target), runs)
            .append(" | ").append(runs.get(runs.size() / 2).getValue("closes"))
            .append(" | ").append(stalled(runs.get(runs.size() / 2))).append(" |\n"));
        ratio(sb, byTarget, "p99 latency (baseline / tickstream)", r -> steady(r, "p99"));
        ratio(sb, byTarget, "CPU per delivered message (baseline / tickstream)", SuiteSummary::cpuPerMillion);
      });
    }
    fill(sb, results);
    scenario1(sb, results);
    Map<String, List<JsonObject>> throughput = group(results, "throughput",
        r -> r.getString("target") + " @ " + String.format(Locale.ROOT, "%6d", r.getInteger("rate")) + " ticks/s");
    if (!throughput.isEmpty()) {
      sb.append("\n#### throughput\n\n")
          .append("| target @ feed | runs | delivered msgs/s | p99 | conflated | server CPU (cores) | CPU s per 1M msgs |\n")
          .append("|---|---|---|---|---|---|---|\n");
      Map<String, Double> peak = new TreeMap<>();
      new TreeMap<>(throughput).forEach((key, runs) -> {
        double delivered = medianValue(runs, r -> r.getDouble("messagesPerSecond", 0.0));
        peak.merge(runs.get(0).getString("target"), delivered, Math::max);
        sb.append("| ").append(key).append(" | ").append(runs.size()).append(" | ").append(format(delivered))
            .append(" | ").append(millis(runs, "p99")).append(" | ").append(median(runs, r -> r.getLong("conflated", 0L)))
            .append(" | ").append(median(runs, SuiteSummary::cores))
            .append(" | ").append(median(runs, SuiteSummary::cpuPerMillion)).append(" |\n");
      });
      sb.append("\nPeak delivered msgs/s (median of runs at the best feed rate): ").append(peak);
      if (peak.containsKey(TICKSTREAM) && peak.containsKey(BASELINE) && peak.get(BASELINE) > 0) {
        sb.append(String.format(Locale.ROOT, "; tickstream / baseline = %.2fx", peak.get(TICKSTREAM) / peak.get(BASELINE)));
      }
      sb.append('\n');
    }
    Map<String, List<JsonObject>> capacity = group(results, "capacity", r -> r.getString("target"));
    if (!capacity.isEmpty()) {
      sb.append("\n#### capacity (idle connections)\n\n")
          .append("| target | runs | server processes | connections | RSS per conn (KiB) | heap per conn after GC (KiB) |\n")
          .append("|---|---|---|---|---|---|\n");
      capacity.forEach((target, runs) -> sb.append("| ").append(target).append(" | ").append(runs.size())
          .append(" | ").append(runs.get(0).getInteger("nodes"))
          .append(" | ").append(median(runs, r -> r.getInteger("connections", 0)))
          .append(" | ").append(median(runs, r -> r.getDouble("rssPerConnectionKiB", 0.0)))
          .append(" | ").append(median(runs, r -> r.getDouble("heapPerConnectionKiB", 0.0))).append(" |\n"));
      ratio(sb, capacity, "RSS per connection (baseline / tickstream)", r -> r.getDouble("rssPerConnectionKiB", 0.0));
    }
    return sb.toString();
  }

  /**
   * Issue 12, goal 3: per target, the healthy connections' steady latency with each stalled share, what the server did
   * (pending and dropped ticks, 1013 closes and when), and the p99 ratio of each stalled share to none stalled.
   */
  private static void fill(StringBuilder sb, List<JsonObject> results) {
    Map<String, List<JsonObject>> byVariant = group(results, "isolation-fill",
        r -> r.getString("target") + ", " + r.getString("variant", "?"));
    if (byVariant.isEmpty()) {
      return;
    }
    JsonObject first = byVariant.values().iterator().next().get(0);
    sb.append("\n#### isolation-fill: !bookTicker connections, feed ").append(first.getInteger("rate"))
        .append(" ticks/s\n\n")
        .append("| target, stalled | runs | healthy conns | delivered msgs/s | p50 | p99 | p99.9 | max | conflated (client) | server: pending max | server: dropped | server: 1013 closes | first close after | stalled closed (client) | server CPU (cores) | loadgen cores |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    byVariant.forEach((key, runs) -> sb.append("| ").append(key).append(" | ").append(runs.size())
        .append(" | ").append(median(runs, r -> r.getInteger("connections", 0) - stalledCount(r)))
        .append(" | ").append(median(runs, r -> r.getDouble("messagesPerSecond", 0.0)))
        .append(" | ").append(millis(runs, "p50")).append(" | ").append(millis(runs, "p99"))
        .append(" | ").append(millis(runs, "p99.9")).append(" | ").append(millis(runs, "max"))
        .append(" | ").append(median(runs, r -> r.getLong("conflated", 0L)))
        .append(" | ").append(median(runs, r -> sample(r, "pendingMax")))
        .append(" | ").append(median(runs, r -> sample(r, "droppedByServer")))
        .append(" | ").append(median(runs, r -> sample(r, "slowCloses")))
        .append(" | ").append(firstClose(runs))
        .append(" | ").append(stalled(runs.get(runs.size() / 2)))
        .append(" | ").append(median(runs, SuiteSummary::cores))
        .append(" | ").append(median(runs, r -> sample(r, "loadgenCores"))).append(" |\n"));
    Map<String, Double> none = new TreeMap<>();
    byVariant.forEach((key, runs) -> {
      if (runs.get(0).getJsonObject("stalled") == null || stalledPlanned(runs.get(0)) == 0) {
        none.put(runs.get(0).getString("target"), medianValue(runs, r -> steady(r, "p99")));
      }
    });
    sb.append('\n');
    byVariant.forEach((key, runs) -> {
      Double base = none.get(runs.get(0).getString("target"));
      if (base != null && base > 0 && stalledPlanned(runs.get(0)) > 0) {
        sb.append(String.format(Locale.ROOT, "- %s: healthy p99 / p99 with none stalled = %.2f (goal: at most 1.10)%n",
            key, medianValue(runs, r -> steady(r, "p99")) / base));
      }
    });
  }

  /** Issue 5's scenario 1, pinned: the latency table plus the load generator's CPU and receive backlog. */
  private static void scenario1(StringBuilder sb, List<JsonObject> results) {
    Map<String, List<JsonObject>> byTarget = group(results, "scenario1", r -> r.getString("target"));
    if (byTarget.isEmpty()) {
      return;
    }
    JsonObject first = byTarget.values().iterator().next().get(0);
    sb.append("\n#### scenario 1, feed ").append(first.getInteger("rate")).append(" ticks/s, ")
        .append(first.getInteger("loadgens", 1)).append(" load generator(s)\n\n")
        .append("| target | runs | conns | delivered msgs/s | p50 | p99 | p99.9 | max | conflated | server CPU (cores) | CPU s per 1M msgs | loadgen cores | loadgen unread bytes, median / max | server unsent bytes, max |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    byTarget.forEach((target, runs) -> commonCells(sb.append("| ").append(target), runs)
        .append(" | ").append(median(runs, r -> sample(r, "loadgenCores")))
        .append(" | ").append(median(runs, r -> sample(r, "loadgenRecvQMedianBytes"))).append(" / ")
        .append(median(runs, r -> sample(r, "loadgenRecvQMaxBytes")))
        .append(" | ").append(median(runs, r -> sample(r, "serverSendQTotalMaxBytes"))).append(" |\n"));
    sb.append("\nGoal (issue 5): p99 < 5 ms, p99.9 < 15 ms.\n");
  }

  private static double sample(JsonObject r, String field) {
    JsonObject s = r.getJsonObject("samples");
    Object v = s == null ? null : s.getValue(field);
    return v instanceof Number n ? n.doubleValue() : 0;
  }

  private static long stalledCount(JsonObject r) {
    JsonObject s = r.getJsonObject("stalled");
    return s == null ? 0 : s.getLong("connections", 0L);
  }

  private static long stalledPlanned(JsonObject r) {
    JsonObject s = r.getJsonObject("stalled");
    return s == null ? 0 : s.getLong("planned", 0L);
  }

  /** Seconds after the load generator started at which the server's first 1013 close was seen, per run. */
  private static String firstClose(List<JsonObject> runs) {
    List<String> v = runs.stream().map(r -> r.getJsonObject("samples") == null ? null
        : r.getJsonObject("samples").getValue("firstSlowCloseAfterSeconds"))
        .map(x -> x instanceof Number n ? format(n.doubleValue()) + " s" : "-").toList();
    return String.join(", ", v);
  }

  private static Map<String, List<JsonObject>> group(List<JsonObject> results, String scenario,
                                                     java.util.function.Function<JsonObject, String> key) {
    Map<String, List<JsonObject>> out = new LinkedHashMap<>();
    results.stream().filter(r -> scenario.equals(r.getString("scenario")))
        .forEach(r -> out.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r));
    return out;
  }

  private static void ratio(StringBuilder sb, Map<String, List<JsonObject>> byTarget, String what,
                            ToDoubleFunction<JsonObject> value) {
    if (byTarget.containsKey(TICKSTREAM) && byTarget.containsKey(BASELINE)) {
      double t = medianValue(byTarget.get(TICKSTREAM), value);
      double b = medianValue(byTarget.get(BASELINE), value);
      if (t > 0) {
        sb.append(String.format(Locale.ROOT, "\n%s: %.2f", what, b / t));
      }
      sb.append('\n');
    }
  }

  private static String stalled(JsonObject r) {
    JsonObject s = r.getJsonObject("stalled");
    return s == null || s.getInteger("connections", 0) == 0 ? "-"
        : s.getInteger("connections") + " stalled, " + s.getValue("closesByCode") + " closed by server";
  }

  /**
   * The percentile after the ramp, or of the whole run when the ramp never ended within the run (the load generator
   * could not open every connection in time: an overloaded machine); {@link #millis} marks those with a dagger.
   */
  private static double steady(JsonObject r, String percentile) {
    JsonObject steady = r.getJsonObject("steady");
    if (steady == null || steady.getLong("samples", 0L) == 0) {
      JsonObject whole = r.getJsonObject("latency");
      return whole == null ? 0 : whole.getDouble(percentile, 0.0);
    }
    return steady.getDouble(percentile, 0.0);
  }

  private static boolean rampNeverEnded(JsonObject r) {
    JsonObject steady = r.getJsonObject("steady");
    return steady == null || steady.getLong("samples", 0L) == 0;
  }

  private static String millis(List<JsonObject> runs, String percentile) {
    List<Double> v = sorted(runs, r -> steady(r, percentile) / 1000.0);
    String mark = runs.stream().anyMatch(SuiteSummary::rampNeverEnded) ? "†" : "";
    return String.format(Locale.ROOT, "%s ms%s (%s–%s)", format(v.get(v.size() / 2)), mark, format(v.get(0)),
        format(v.get(v.size() - 1)));
  }

  private static double cores(JsonObject r) {
    return r.getDouble("serverCpuSeconds", 0.0) / r.getDouble("wallSeconds", 1.0);
  }

  private static double cpuPerMillion(JsonObject r) {
    long messages = r.getLong("messages", 0L);
    return messages == 0 ? 0 : r.getDouble("serverCpuSeconds", 0.0) / (messages / 1e6);
  }

  private static String median(List<JsonObject> runs, ToDoubleFunction<JsonObject> value) {
    List<Double> v = sorted(runs, value);
    String m = format(v.get(v.size() / 2));
    return v.size() == 1 ? m : m + " (" + format(v.get(0)) + "–" + format(v.get(v.size() - 1)) + ")";
  }

  private static double medianValue(List<JsonObject> runs, ToDoubleFunction<JsonObject> value) {
    List<Double> v = sorted(runs, value);
    return v.get(v.size() / 2);
  }

  private static List<Double> sorted(List<JsonObject> runs, ToDoubleFunction<JsonObject> value) {
    return runs.stream().map(value::applyAsDouble).sorted(Comparator.naturalOrder()).toList();
  }

  private static String format(double v) {
    if (Math.abs(v) >= 100 || v == Math.rint(v)) {
      return String.valueOf(Math.round(v));
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
  }
}
