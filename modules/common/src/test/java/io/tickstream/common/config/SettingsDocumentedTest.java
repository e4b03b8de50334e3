package io.tickstream.common.config;

import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.common.logging.Logging;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every knob is documented: a setting missing from docs/configuration.md fails the build. */
class SettingsDocumentedTest {

  @Test
  void everySharedSettingIsInTheConfigurationDocWithItsDefault() throws Exception {
    String doc = Files.readString(Path.of("../../docs/configuration.md"));
    List<Setting<?>> all = new ArrayList<>(KafkaSettings.ALL);
    all.addAll(BookTickerTopic.ALL);
    all.addAll(ClusterSettings.ALL);
    all.addAll(Logging.SETTINGS);
    for (Setting<?> s : all) {
      String row = Config.markdownTable(List.of(s)).lines().skip(2).findFirst().orElseThrow();
      assertThat(doc).as("docs/configuration.md row for %s", s.key()).contains(row);
    }
  }
}
