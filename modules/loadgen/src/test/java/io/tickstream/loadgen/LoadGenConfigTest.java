package io.tickstream.loadgen;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The load generator's command line, as {@link LoadGenMain} parses it, beside the other commands'. */
class LoadGenConfigTest {

  private final StringWriter out = new StringWriter();

  @Test
  void itsNamespaceIsRegisteredSoOtherCommandsIgnoreItsVariables() {
    for (Setting<?> s : LoadGenSettings.ALL) {
      assertThat(Config.NAMESPACES).as(s.key()).contains(s.key().split("\\.")[0]);
    }
  }

  @Test
  void variablesOfTheNodeItLoadsAreIgnoredAndItsOwnTyposAreNot() throws Exception {
    Map<String, String> shell = Map.of("TICKSTREAM_FANOUT_PORT", "8081", "TICKSTREAM_LOADGEN_CONNECTIONS", "7");
    assertThat(parse(shell, "--print-config")).isFalse();
    assertThat(out.toString().lines().map(l -> l.replaceAll(" +", " ")))
        .contains("loadgen.connections 7 env TICKSTREAM_LOADGEN_CONNECTIONS", "loadgen.mode raw default");
    assertThatThrownBy(() -> parse(Map.of("TICKSTREAM_LOADGEN_CONECTIONS", "7")))
        .hasMessage("unknown environment variable TICKSTREAM_LOADGEN_CONECTIONS (did you mean "
            + "TICKSTREAM_LOADGEN_CONNECTIONS?)");
  }

  private boolean parse(Map<String, String> env, String... args) throws Exception {
    return Config.fromArgs("tickstream loadgen", "loadgen", LoadGenSettings.ALL, args, env, new PrintWriter(out))
        .isPresent();
  }
}
