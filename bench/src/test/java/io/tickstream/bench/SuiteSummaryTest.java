package io.tickstream.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The suite's tables for issue 12's scenarios, from results.jsonl lines as bench/suite.sh writes them. */
class SuiteSummaryTest {

  @Test
  void isolationFillComparesEachStalledShareWithNoneStalledOfTheSameTarget() {
    List<JsonObject> results = new ArrayList<>();
    for (int run = 1; run <= 3; run++) {
      results.add(fill("tickstream", 0, run, 10_000 + run, null));
      results.add(fill("tickstream", 1, run, 11_000 + run, 31.0));
      results.add(fill("baseline", 0, run, 20_000 + run, null));
      results.add(fill("baseline", 1, run, 40_000 + run, 29.0));
    }
    String md = SuiteSummary.summarise(results);

    assertThat(md).contains("#### isolation-fill: !bookTicker connections, feed 1000 ticks/s")
        .contains("| tickstream, 1% stalled | 3 | 99 (99–99) |")
        .contains("- tickstream, 1% stalled: healthy p99 / p99 with none stalled = 1.10")
        .contains("- baseline, 1% stalled: healthy p99 / p99 with none stalled = 2.00")
        .contains("31 s, 31 s, 31 s")
        .doesNotContain("0% stalled: healthy p99");
  }

  @Test
  void scenarioOneShowsTheLoadGeneratorsCpuAndBacklog() {
    JsonObject r = new JsonObject().put("scenario", "scenario1").put("target", "tickstream").put("run", 1)
        .put("rate", 20_000).put("loadgens", 2).put("connections", 10_000).put("messagesPerSecond", 300_000.0)
        .put("messages", 9_000_000L).put("serverCpuSeconds", 30.0).put("wallSeconds", 30.0)
        .put("steady", new JsonObject().put("samples", 100).put("p50", 2_000).put("p99", 4_000).put("p99.9", 9_000)
            .put("max", 20_000))
        .put("samples", new JsonObject().put("loadgenCores", 0.97).put("loadgenRecvQMedianBytes", 5_000_000)
            .put("loadgenRecvQMaxBytes", 9_000_000).put("serverSendQTotalMaxBytes", 123));
    String md = SuiteSummary.summarise(List.of(r));

    assertThat(md).contains("#### scenario 1, feed 20000 ticks/s, 2 load generator(s)")
        .contains("| tickstream | 1 | 10000 | 300000 | 2 ms (2–2) | 4 ms (4–4) | 9 ms (9–9) |")
        .contains("| 0.97 | 5000000 / 9000000 | 123 |");
  }

  private static JsonObject fill(String target, int percent, int run, long p99, Double firstClose) {
    JsonObject samples = new JsonObject().put("pendingMax", 0).put("droppedByServer", 0)
        .put("slowCloses", percent > 0 ? 1 : 0).put("loadgenCores", 0.3);
    samples.put("firstSlowCloseAfterSeconds", firstClose);
    return new JsonObject().put("scenario", "isolation-fill").put("target", target)
        .put("variant", percent + "% stalled").put("run", run).put("rate", 1000).put("connections", 100)
        .put("messagesPerSecond", 100_000.0).put("messages", 3_000_000L).put("serverCpuSeconds", 10.0)
        .put("wallSeconds", 45.0)
        .put("stalled", new JsonObject().put("percent", percent).put("planned", percent).put("connections", percent)
            .put("closesByCode", new JsonObject()))
        .put("steady", new JsonObject().put("samples", 1000).put("p50", 1_000).put("p99", p99).put("p99.9", p99 * 2)
            .put("max", p99 * 3))
        .put("samples", samples);
  }
}
