package io.tickstream.fanout;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every fanout knob is documented: a setting missing from docs/configuration.md or the README fails the build. */
class FanoutSettingsDocumentedTest {

  @Test
  void everyFanoutSettingIsInTheConfigurationDocAndTheReadmeWithItsDefault() throws Exception {
    String doc = Files.readString(Path.of("../../docs/configuration.md"));
    String readme = Files.readString(Path.of("README.md"));
    assertThat(doc).contains("## Fanout");
    for (Setting<?> s : FanoutSettings.FANOUT) {
      assertThat(s.key()).startsWith("fanout.");
      String row = Config.markdownTable(List.of(s)).lines().skip(2).findFirst().orElseThrow();
      assertThat(doc).as("docs/configuration.md row for %s", s.key()).contains(row);
      assertThat(readme).as("README.md row for %s", s.key()).contains(row);
    }
  }

  @Test
  void everyMetricNameIsInTheReadme() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    for (var f : FanoutMetrics.class.getFields()) {
      String name = (String) f.get(null);
      assertThat(readme).as("README.md mentions %s", name).contains(name.replace('.', '_'));
    }
  }
}
