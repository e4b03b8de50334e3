package io.tickstream.bench;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@code RESULT} lines of repeated benchmark runs into a Markdown table of medians per label.
 * Usage: {@code java -cp tickstream-bench-*-all.jar io.tickstream.bench.BenchSummary results.jsonl}.
 */
public final class BenchSummary {

  private static final String[] COLUMNS = {"framesPerSecond", "ackedPerSecond", "cpuCores", "cpuMicrosPerTick",
      "p50Micros", "p99Micros", "p999Micros", "maxBucketMicros", "kafkaP50Micros", "kafkaP99Micros", "conflated"};

  private BenchSummary() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, List<JsonObject>> byLabel = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      if (line.startsWith("RESULT ")) {
        JsonObject r = new JsonObject(line.substring("RESULT ".length()));
        byLabel.computeIfAbsent(r.getString("label"), k -> new ArrayList<>()).add(r);
      }
    }
    StringBuilder sb = new StringBuilder("| run | n |");
    for (String c : COLUMNS) {
      sb.append(' ').append(c).append(" |");
    }
    sb.append("\n|---|---|").append("---|".repeat(COLUMNS.length)).append('\n');
    byLabel.forEach((label, runs) -> {
      sb.append("| ").append(label).append(" | ").append(runs.size()).append(" |");
      for (String c : COLUMNS) {
        List<Double> values = runs.stream().filter(r -> r.containsKey(c)).map(r -> r.getNumber(c).doubleValue())
            .sorted(Comparator.naturalOrder()).toList();
        if (values.isEmpty()) {
          sb.append(" - |");
          continue;
        }
        double median = values.get(values.size() / 2);
        sb.append(' ').append(median == Math.rint(median) ? String.valueOf((long) median) : String.valueOf(median))
            .append(" (").append(format(values.get(0))).append("–").append(format(values.get(values.size() - 1))).append(") |");
      }
      sb.append('\n');
    });
    System.out.print(sb);
  }

  private static String format(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
