package io.tickstream.bench;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws latency-by-percentile curves as a self-contained SVG, in the layout of HdrHistogram's own plots: the x axis
 * is {@code log10(1 / (1 - p))}, so 90 %, 99 %, 99.9 % ... are one decade apart and the tail gets the room it
 * deserves; the y axis is the latency in milliseconds, also logarithmic. The maximum (p = 100 %, infinitely far on
 * that axis) gets a column of its own at the right edge.
 *
 * <p>One colour per series; a series with several runs draws each run as a thin line, so run-to-run spread shows.
 */
final class PercentileSvg {

  /** Colour-blind-safe (Okabe-Ito, without the yellow that vanishes on white), then a few dark extras. */
  private static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
      "#000000", "#7F3C8D", "#8C564B"};
  /** Tail shown at least to 99.99 % (4 decades) and at most to 99.99999 % (7). */
  private static final int MIN_DECADES = 4;
  private static final int MAX_DECADES = 7;
  /** Room between the last decade and the max column, in decades. */
  private static final double MAX_GAP = 0.6;
  private static final String FONT = "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\"";

  /** One point of a run: {@code percentile} in 0..100, its latency in µs. */
  record Point(double percentile, double micros) {
  }

  /** One run: its points in increasing percentile, and how many samples they summarise. */
  record Run(List<Point> points, long samples) {
  }

  /** What one label stands for: one or several runs. */
  record Series(String label, List<Run> runs) {
  }

  private final int width;
  private final int height;
  private final double left = 84;
  private final double right;
  private final double top = 58;
  private final double bottom;

  PercentileSvg(int width, int height) {
    this.width = width;
    this.height = height;
    this.right = width - 24;
    this.bottom = height - 62;
  }

  String render(String title, List<Series> series) {
    List<Run> runs = series.stream().flatMap(s -> s.runs().stream()).toList();
    List<Point> all = runs.stream().flatMap(r -> r.points().stream()).toList();
    if (all.isEmpty()) {
      throw new IllegalArgumentException("nothing to plot");
    }
    int decades = decades(runs);
    double minMs = all.stream().mapToDouble(p -> p.micros() / 1000).filter(v -> v > 0).min().orElse(1);
    double maxMs = all.stream().mapToDouble(p -> p.micros() / 1000).max().orElse(1);
    Tick lo = Tick.atOrBelow(minMs);
    Tick hi = Tick.atOrAbove(Math.max(maxMs, lo.ms() * 2));
    Axes axes = new Axes(decades, lo, hi);

    StringBuilder svg = new StringBuilder(16_384);
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " viewBox=\"0 0 %d %d\" %s>%n", width, height, width, height, FONT));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    text(svg, width / 2.0, 32, 18, "middle", "font-weight=\"bold\"", title);
    xAxis(svg, axes);
    yAxis(svg, axes);
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      boolean thin = s.runs().size() > 1;
      for (Run run : s.runs()) {
        svg.append("<polyline class=\"series\" data-label=\"").append(escape(s.label()))
            .append("\" fill=\"none\" stroke=\"").append(colour(i))
            .append(thin ? "\" stroke-width=\"1.2\" stroke-opacity=\"0.7\"" : "\" stroke-width=\"2.2\"")
            .append(" stroke-linejoin=\"round\" points=\"");
        for (Point p : run.points()) {
          svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", axes.x(p.percentile()), axes.y(p.micros() / 1000)));
        }
        svg.setLength(svg.length() - 1);
        svg.append("\"/>\n");
      }
    }
    legend(svg, series);
    svg.append("</svg>\n");
    return svg.toString();
  }

  /**
   * Decades of tail to show: as far as the largest run resolves, {@code 1 - 1/n} for n samples (HdrHistogram's
   * iteration goes on to finer percentiles than that, but they all repeat the maximum).
   */
  private static int decades(List<Run> runs) {
    long samples = runs.stream().mapToLong(Run::samples).max().orElse(0);
    int d = (int) Math.ceil(Math.log10(Math.max(1, samples)) - 1e-9);
    return Math.max(MIN_DECADES, Math.min(MAX_DECADES, d));
  }

  /** A y-axis value of the 1-2-5 series, {@code mantissa × 10^exp} ms. */
  private record Tick(int mantissa, int exp) {
    private static final int[] MANTISSAS = {1, 2, 5};

    double ms() {
      return mantissa * Math.pow(10, exp);
    }

    Tick next() {
      return mantissa == 5 ? new Tick(1, exp + 1) : new Tick(mantissa == 1 ? 2 : 5, exp);
    }

    static Tick atOrBelow(double ms) {
      int exp = (int) Math.floor(Math.log10(ms));
      Tick t = new Tick(1, exp);
      while (t.next().ms() <= ms * (1 + 1e-9)) {
        t = t.next();
      }
      return t;
    }

    static Tick atOrAbove(double ms) {
      Tick t = new Tick(1, (int) Math.floor(Math.log10(ms)));
      while (t.ms() < ms * (1 - 1e-9)) {
        t = t.next();
      }
      return t;
    }

    /** {@code 0.01}, {@code 0.5}, {@code 2}, {@code 1,000}: the tick's label in ms. */
    String label() {
      BigDecimal v = BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exp).stripTrailingZeros();
      return v.compareTo(BigDecimal.ONE) >= 0 ? String.format(Locale.ROOT, "%,d", v.longValueExact())
          : v.toPlainString();
    }
  }

  private final class Axes {
    final int decades;
    final Tick lo;
    final Tick hi;
    private final double loLog;
    private final double hiLog;

    Axes(int decades, Tick lo, Tick hi) {
      this.decades = decades;
      this.lo = lo;
      this.hi = hi;
      this.loLog = Math.log10(lo.ms());
      this.hiLog = Math.log10(hi.ms());
    }

    double x(double percentile) {
      double d = percentile >= 100 ? decades + MAX_GAP
          : Math.min(decades, Math.log10(1 / (1 - percentile / 100)));
      return left + d / (decades + MAX_GAP) * (right - left);
    }

    double y(double ms) {
      double e = Math.log10(Math.max(ms, lo.ms()));
      return bottom - (e - loLog) / (hiLog - loLog) * (bottom - top);
    }
  }

  private void xAxis(StringBuilder svg, Axes a) {
    Map<Double, String> ticks = new LinkedHashMap<>();
    ticks.put(0.0, "0%");
    ticks.put(50.0, "50%");
    for (int k = 1; k <= a.decades; k++) {
      double p = 100 - 100 / Math.pow(10, k);
      ticks.put(p, plain(p) + "%");
    }
    ticks.put(100.0, "max");
    ticks.forEach((p, label) -> {
      double x = a.x(p);
      line(svg, x, top, x, bottom, "#dddddd", 1);
      line(svg, x, bottom, x, bottom + 5, "#333333", 1);
      text(svg, x, bottom + 20, 12, "middle", "class=\"x-tick\"", label);
    });
    line(svg, left, bottom, right, bottom, "#333333", 1);
    text(svg, (left + right) / 2, height - 18, 14, "middle", "", "percentile");
  }

  private void yAxis(StringBuilder svg, Axes a) {
    boolean minorLabels = a.hiLog - a.loLog <= 2.5;
    for (Tick t = a.lo; t.ms() <= a.hi.ms() * (1 + 1e-9); t = t.next()) {
      double y = a.y(t.ms());
      line(svg, left, y, right, y, t.mantissa() == 1 ? "#cccccc" : "#eeeeee", 1);
      if (t.mantissa() == 1 || minorLabels || t.equals(a.lo) || t.equals(a.hi)) {
        line(svg, left - 5, y, left, y, "#333333", 1);
        text(svg, left - 8, y + 4, 12, "end", "class=\"y-tick\"", t.label());
      }
    }
    line(svg, left, top, left, bottom, "#333333", 1);
    double cy = (top + bottom) / 2;
    svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%.1f\" font-size=\"14\" text-anchor=\"middle\""
        + " transform=\"rotate(-90 18 %.1f)\">latency, now - pt (ms)</text>%n", cy, cy));
  }

  /**
   * Bottom right, inside the plot: latency never falls as the percentile rises, so that corner (high percentile,
   * low latency) is the one the curves leave empty.
   */
  private void legend(StringBuilder svg, List<Series> series) {
    double rowHeight = 20;
    int longest = series.stream().mapToInt(s -> legendText(s).length()).max().orElse(0);
    double boxWidth = 44 + longest * 7.2;
    double boxHeight = series.size() * rowHeight + 10;
    double x = right - 12 - boxWidth;
    double y = bottom - 12 - boxHeight;
    svg.append(String.format(Locale.ROOT, "<rect class=\"legend\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
            + " height=\"%.1f\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#999999\"/>%n", x, y, boxWidth,
        boxHeight));
    for (int i = 0; i < series.size(); i++) {
      double rowY = y + 15 + i * rowHeight;
      line(svg, x + 8, rowY, x + 32, rowY, colour(i), 3);
      text(svg, x + 38, rowY + 4, 13, "start", "class=\"legend-label\"", legendText(series.get(i)));
    }
  }

  private static String legendText(Series s) {
    return s.label() + (s.runs().size() > 1 ? " (" + s.runs().size() + " runs)" : "");
  }

  private static String colour(int i) {
    return COLOURS[i % COLOURS.length];
  }

  private static String plain(double d) {
    return BigDecimal.valueOf(d).round(new java.math.MathContext(12)).stripTrailingZeros().toPlainString();
  }

  private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String colour,
                           double width) {
    svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
        + " stroke-width=\"%s\"/>%n", x1, y1, x2, y2, colour, plain(width)));
  }

  private static void text(StringBuilder svg, double x, double y, int size, String anchor, String extra,
                           String content) {
    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" %s>",
        x, y, size, anchor, extra)).append(escape(content)).append("</text>\n");
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
