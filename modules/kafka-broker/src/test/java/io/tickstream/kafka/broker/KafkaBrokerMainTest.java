package io.tickstream.kafka.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import io.tickstream.kafka.broker.KafkaBrokerMain.Options;
import org.junit.jupiter.api.Test;

/** Command-line parsing only; the process itself is exercised by running the fat jar. */
class KafkaBrokerMainTest {

  @Test
  void defaultsAreKafkasWellKnownPorts() {
    assertThat(Options.parse()).isEqualTo(new Options("127.0.0.1", 9092, 9093, null, 1, false));
  }

  @Test
  void parsesSpaceAndEqualsForms() {
    Options options = Options.parse("--port", "19092", "--controller-port=19093", "--log-dir", "/tmp/k",
        "--host=localhost", "--partitions", "3");
    assertThat(options).isEqualTo(new Options("localhost", 19092, 19093, Path.of("/tmp/k"), 3, false));
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> Options.parse("--port")).hasMessageContaining("Missing value");
    assertThatThrownBy(() -> Options.parse("--port", "x")).hasMessageContaining("needs a number");
    assertThatThrownBy(() -> Options.parse("--nope", "1")).hasMessageContaining("Unknown option");
    assertThatThrownBy(() -> Options.parse("--partitions", "0").toBuilder())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void helpWins() {
    assertThat(Options.parse("--port", "1", "--help").help()).isTrue();
  }
}
