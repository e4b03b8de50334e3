package io.tickstream.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The plot of load-generator reports is well-formed SVG with a line per run and a legend entry per label. */
class LatencyPlotTest {

  @TempDir
  Path dir;

  @Test
  void twoReportsGiveOneLinePerSeriesALegendAndTheTailTicks() throws Exception {
    Path healthy = report("healthy.json", 1.0);
    Path stalled = report("stalled.json", 3.0);
    Path svg = dir.resolve("out/latency.svg");

    int exit = new CommandLine(new LatencyPlot()).execute("--out", svg.toString(), "--title", "Isolation <1% stalled>",
        "healthy=" + healthy, "1% stalled & co=" + stalled);

    assertThat(exit).isZero();
    Document doc = parse(svg);
    Element root = doc.getDocumentElement();
    assertThat(root.getLocalName()).isEqualTo("svg");
    assertThat(root.getAttribute("width")).isEqualTo("800");
    assertThat(root.getAttribute("height")).isEqualTo("500");
    NodeList lines = doc.getElementsByTagNameNS(SVG, "polyline");
    assertThat(lines.getLength()).isEqualTo(2);
    assertThat(((Element) lines.item(0)).getAttribute("stroke"))
        .isNotEqualTo(((Element) lines.item(1)).getAttribute("stroke"));
    assertThat(texts(doc, "legend-label")).containsExactly("healthy", "1% stalled & co");
    assertThat(texts(doc, "x-tick")).containsSubsequence("50%", "90%", "99%", "99.9%", "99.99%", "max");
    // 1 ms to 600 ms: the y axis spans 1 to 1,000 ms, a line per decade.
    assertThat(texts(doc, "y-tick")).containsExactly("1", "10", "100", "1,000");
    assertThat(allText(doc)).contains("Isolation <1% stalled>", "latency, now - pt (ms)", "percentile");
  }

  @Test
  void pointsGoRightWithThePercentileAndUpWithTheLatency() throws Exception {
    Path svg = dir.resolve("latency.svg");
    new CommandLine(new LatencyPlot()).execute("--out", svg.toString(), "only=" + report("a.json", 1.0));
    String[] points = ((Element) parse(svg).getElementsByTagNameNS(SVG, "polyline").item(0))
        .getAttribute("points").split(" ");
    double previousX = -1;
    double previousY = Double.MAX_VALUE;
    for (String point : points) {
      double x = Double.parseDouble(point.split(",")[0]);
      double y = Double.parseDouble(point.split(",")[1]);
      assertThat(x).isGreaterThan(previousX);
      assertThat(y).isLessThanOrEqualTo(previousY);
      previousX = x;
      previousY = y;
    }
    assertThat(points).hasSize(PERCENTILES.length);
  }

  @Test
  void repeatedRunsOfALabelAreThinLinesOfOneColourWithOneLegendEntry() throws Exception {
    Path svg = dir.resolve("latency.svg");
    int exit = new CommandLine(new LatencyPlot()).execute("--out", svg.toString(),
        "base=" + report("r1.json", 1.0), "base=" + report("r2.json", 1.2), "base=" + report("r3.json", 0.9));
    assertThat(exit).isZero();
    Document doc = parse(svg);
    NodeList lines = doc.getElementsByTagNameNS(SVG, "polyline");
    assertThat(lines.getLength()).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(((Element) lines.item(i)).getAttribute("stroke"))
          .isEqualTo(((Element) lines.item(0)).getAttribute("stroke"));
      assertThat(((Element) lines.item(i)).getAttribute("stroke-width")).isEqualTo("1.2");
    }
    assertThat(texts(doc, "legend-label")).containsExactly("base (3 runs)");
  }

  @Test
  void aReportWithoutADistributionIsRefusedByName() throws Exception {
    Path empty = dir.resolve("empty.json");
    Files.writeString(empty, new JsonObject().put("latencyMicros", new JsonObject().put("samples", 0)).encode());
    int exit = new CommandLine(new LatencyPlot()).execute("--out", dir.resolve("x.svg").toString(), "a=" + empty);
    assertThat(exit).isEqualTo(1);
    assertThat(dir.resolve("x.svg")).doesNotExist();
  }

  private static final String SVG = "http://www.w3.org/2000/svg";
  /** Percentile levels as HdrHistogram's iteration gives them, with the max (100) last. */
  private static final double[] PERCENTILES = {0, 50, 75, 87.5, 93.75, 96.875, 99.0, 99.6, 99.9, 99.97, 99.995, 100};

  /** A loadgen-style report whose latency is {@code scale} × (1 ms at p0 up to 200 ms at the max). */
  private Path report(String name, double scale) throws Exception {
    JsonArray percentiles = new JsonArray();
    for (int i = 0; i < PERCENTILES.length; i++) {
      long micros = Math.round(scale * 1000 * Math.pow(200, i / (PERCENTILES.length - 1.0)));
      percentiles.add(new JsonObject().put("percentile", PERCENTILES[i]).put("valueMicros", micros)
          .put("totalCount", 10 * (i + 1)));
    }
    Path file = dir.resolve(name);
    Files.writeString(file, new JsonObject().put("mode", "raw")
        .put("latencyMicros", new JsonObject().put("samples", 120).put("percentiles", percentiles)).encodePrettily());
    return file;
  }

  private static Document parse(Path svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(svg.toFile());
  }

  private static List<String> texts(Document doc, String cssClass) {
    List<String> out = new ArrayList<>();
    NodeList all = doc.getElementsByTagNameNS(SVG, "text");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (e.getAttribute("class").equals(cssClass)) {
        out.add(e.getTextContent());
      }
    }
    return out;
  }

  private static String allText(Document doc) {
    return doc.getDocumentElement().getTextContent();
  }
}
