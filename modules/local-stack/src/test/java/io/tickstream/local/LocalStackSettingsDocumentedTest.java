package io.tickstream.local;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every knob of ./tickstream local (its own and the roles' it passes on) is documented with its default. */
class LocalStackSettingsDocumentedTest {

  @Test
  void everyLocalStackSettingIsInTheConfigurationDocWithItsDefault() throws Exception {
    String doc = Files.readString(Path.of("../../docs/configuration.md"));
    for (Setting<?> s : LocalStackSettings.ALL) {
      String row = Config.markdownTable(List.of(s)).lines().skip(2).findFirst().orElseThrow();
      assertThat(doc).as("docs/configuration.md row for %s", s.key()).contains(row);
    }
  }
}
