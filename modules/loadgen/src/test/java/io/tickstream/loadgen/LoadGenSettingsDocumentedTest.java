package io.tickstream.loadgen;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every load-generator knob is documented: a setting missing from docs/configuration.md fails the build. */
class LoadGenSettingsDocumentedTest {

  @Test
  void everyLoadGeneratorSettingIsInTheConfigurationDocWithItsDefault() throws Exception {
    String doc = Files.readString(Path.of("../../docs/configuration.md"));
    assertThat(doc).contains("## Load generator");
    for (Setting<?> s : LoadGenSettings.ALL) {
      assertThat(s.key()).startsWith("loadgen.");
      String row = Config.markdownTable(List.of(s)).lines().skip(2).findFirst().orElseThrow();
      assertThat(doc).as("docs/configuration.md row for %s", s.key()).contains(row);
    }
  }
}
