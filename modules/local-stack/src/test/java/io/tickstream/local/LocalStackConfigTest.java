package io.tickstream.local;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.tickstream.common.config.Setting;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.ingest.IngestSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@code ./tickstream local} takes its configuration: checked, printable, and the same for what it deploys. */
class LocalStackConfigTest {

  private final StringWriter out = new StringWriter();

  @Test
  void printConfigListsEverySettingWithItsOriginAndStartsNothing() throws Exception {
    assertThat(LocalStackMain.start(new String[]{"--print-config", "--fanout.port=8081", "--exchange=simulator"},
        Map.of("TICKSTREAM_SIMULATOR_TICK_RATE", "50", "TICKSTREAM_LOADGEN_CONNECTIONS", "5"), new PrintWriter(out)))
        .isEmpty();
    List<String> lines = out.toString().lines().map(l -> l.replaceAll(" +", " ")).toList();
    assertThat(lines).hasSize(LocalStackSettings.ALL.size())
        .contains("fanout.port 8081 flag --fanout.port", "local.exchange simulator flag --local.exchange",
            "simulator.tick-rate 50 env TICKSTREAM_SIMULATOR_TICK_RATE", "topic.partitions 12 default");
  }

  @Test
  void aMistypedVariableStopsItBeforeAnythingStarts() {
    assertThatThrownBy(() -> LocalStackMain.start(new String[0], Map.of("TICKSTREAM_FANOUT_PROT", "8081"),
        new PrintWriter(out))).isInstanceOf(ConfigException.class)
        .hasMessage("unknown environment variable TICKSTREAM_FANOUT_PROT (did you mean TICKSTREAM_FANOUT_PORT?)");
  }

  @Test
  void theUnionConfigOfTheStackPassesTheCheckOfEachVerticleItDeploys() throws Exception {
    // Unresolved on purpose: a resolved config skips the check, this one holds every role's keys and is checked.
    JsonObject union = Config.defaults(LocalStackSettings.ALL).toJson();
    assertThat(Config.fromJson(FanoutSettings.ALL, union, Map.of()).get(FanoutSettings.PORT)).isEqualTo(8080);
    assertThat(Config.fromJson(IngestSettings.ALL, union, Map.of()).get(IngestSettings.ADMIN_PORT)).isEqualTo(8089);
    assertThat(Config.fromJson(FanoutSettings.ALL, union, Map.of()).get(FanoutSettings.ADMIN_PORT)).isEqualTo(8090);
  }

  @Test
  void everyNamespaceOfTheStackIsRegisteredSoOtherCommandsIgnoreIt() {
    for (Setting<?> s : LocalStackSettings.ALL) {
      assertThat(Config.NAMESPACES).as(s.key()).contains(s.key().split("\\.")[0]);
    }
  }
}
