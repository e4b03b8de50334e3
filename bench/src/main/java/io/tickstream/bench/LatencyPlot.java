package io.tickstream.bench;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Plots the latency distributions of load-generator reports ({@code --json-out} of {@code ./tickstream loadgen})
 * against each other, as an SVG with no dependencies, for {@code docs/}:
 *
 * <pre>
 * java -cp bench/target/tickstream-bench-*-all.jar io.tickstream.bench.LatencyPlot --out docs/latency.svg \
 *     --title "2,000 clients, 1 % stalled" healthy=base.json "1% stalled"=stalled.json
 * </pre>
 *
 * Each {@code label=report.json} adds a run to that label: repeat a label for repeated runs, and each is drawn
 * as a thin line of the label's colour (all runs shown rather than a chosen median one, so the spread between
 * runs is visible). The curve is {@code latencyMicros.percentiles}: the whole run's {@code now - pt} of the
 * healthy connections, from HdrHistogram's percentile iteration.
 */
@Command(name = "latency-plot", mixinStandardHelpOptions = true,
    description = "Latency by percentile of load-generator JSON reports, as an SVG.")
public final class LatencyPlot implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "SVG file to write.")
  Path out;
  @Option(names = "--title", defaultValue = "End-to-end latency by percentile", description = "Title of the plot.")
  String title;
  @Option(names = "--width", defaultValue = "800", description = "Width in pixels.")
  int width;
  @Option(names = "--height", defaultValue = "500", description = "Height in pixels.")
  int height;
  @Parameters(arity = "1..*", paramLabel = "LABEL=REPORT.json", description = "A run of the series LABEL.")
  List<String> runs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LatencyPlot()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    Map<String, List<PercentileSvg.Run>> byLabel = new LinkedHashMap<>();
    for (String run : runs) {
      int eq = run.lastIndexOf('=');
      if (eq <= 0 || eq == run.length() - 1) {
        throw new CommandLine.ParameterException(new CommandLine(this), "expected LABEL=REPORT.json, got " + run);
      }
      PercentileSvg.Run points;
      try {
        points = readRun(Path.of(run.substring(eq + 1)));
      } catch (IOException | IllegalArgumentException e) {
        System.err.println("latency-plot: " + (e instanceof IOException ? "cannot read " + e : e.getMessage()));
        return 1;
      }
      byLabel.computeIfAbsent(run.substring(0, eq), k -> new ArrayList<>()).add(points);
    }
    List<PercentileSvg.Series> series = new ArrayList<>();
    byLabel.forEach((label, r) -> series.add(new PercentileSvg.Series(label, r)));
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    Files.writeString(out, new PercentileSvg(width, height).render(title, series));
    System.out.println("latency plot: " + out.toAbsolutePath());
    return 0;
  }

  /** The {@code latencyMicros.percentiles} of one report, in the order HdrHistogram iterated them. */
  static PercentileSvg.Run readRun(Path report) throws IOException {
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(report));
    } catch (DecodeException e) {
      throw new IllegalArgumentException(report + " is not a JSON report: " + e.getMessage(), e);
    }
    JsonObject latency = json.getJsonObject("latencyMicros");
    JsonArray percentiles = latency == null ? null : latency.getJsonArray("percentiles");
    if (percentiles == null || percentiles.isEmpty()) {
      throw new IllegalArgumentException(report + " has no latencyMicros.percentiles (a run without latency samples?)");
    }
    List<PercentileSvg.Point> points = new ArrayList<>(percentiles.size());
    for (int i = 0; i < percentiles.size(); i++) {
      JsonObject p = percentiles.getJsonObject(i);
      points.add(new PercentileSvg.Point(p.getDouble("percentile"), p.getDouble("valueMicros")));
    }
    long samples = percentiles.getJsonObject(percentiles.size() - 1).getLong("totalCount", 0L);
    return new PercentileSvg.Run(points, latency.getLong("samples", samples));
  }
}
