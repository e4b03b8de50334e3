package io.tickstream.fanout;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every Origin and key setting is documented in docs/configuration.md with its default, and resolvable by the fanout. */
class AccessSettingsDocumentedTest {

  @Test
  void everyAccessSettingIsInTheConfigurationDocAndTheFanoutResolvesIt() throws Exception {
    String doc = Files.readString(Path.of("../../docs/configuration.md"));
    for (Setting<?> s : AccessSettings.ALL) {
      String row = Config.markdownTable(List.of(s)).lines().skip(2).findFirst().orElseThrow();
      assertThat(doc).as("docs/configuration.md row for %s", s.key()).contains(row);
      assertThat(FanoutSettings.ALL).contains(s);
    }
    assertThat(Files.readString(Path.of("../../docs/security/keys-and-origin.md"))).contains("fanout.allowed-origins");
  }
}
