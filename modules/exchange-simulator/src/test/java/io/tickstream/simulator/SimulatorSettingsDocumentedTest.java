package io.tickstream.simulator;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every simulator knob is documented with its current default: a missing or stale row fails the build. */
class SimulatorSettingsDocumentedTest {

  @Test
  void everySimulatorSettingIsInTheConfigurationDocAndTheReadme() throws Exception {
    String doc = Files.readString(Path.of("../../docs/configuration.md"));
    String readme = Files.readString(Path.of("README.md"));
    for (Setting<?> s : SimulatorSettings.ALL) {
      String row = Config.markdownTable(List.of(s)).lines().skip(2).findFirst().orElseThrow();
      assertThat(doc).as("docs/configuration.md row for %s", s.key()).contains(row);
      assertThat(readme).as("README row for %s", s.key()).contains(row);
    }
  }
}
