package io.tickstream.common.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.tickstream.common.config.Config;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the role jars' shared Logback configuration prints, per log-format and verbose. */
class LoggingTest {

  private final PrintStream stdout = System.out;

  @AfterEach
  void restore() {
    System.setOut(stdout);
    System.clearProperty(Logging.FORMAT_PROPERTY);
    System.clearProperty(Logging.THIRD_PARTY_PROPERTY);
  }

  @Test
  void textByDefaultWithOurInfoAndOnlyThirdPartyWarnings() throws Exception {
    String out = logWith();
    assertThat(out).contains("INFO  [main] i.t.common.logging.Test - ours").doesNotContain("kafka info")
        .contains("WARN  [main] org.apache.kafka.Test - kafka warn").doesNotContain("{\"");
  }

  @Test
  void verboseAlsoPrintsThirdPartyInfo() throws Exception {
    assertThat(logWith("--verbose")).contains("kafka info").contains("ours");
  }

  @Test
  void jsonPrintsOneObjectPerLineFromAFlagOrTheEnvironment() throws Exception {
    for (String out : List.of(logWith("--log-format=json"), logWith(Map.of("TICKSTREAM_LOG_FORMAT", "JSON")))) {
      List<String> lines = out.lines().toList();
      assertThat(lines).hasSize(2);
      JsonObject ours = new JsonObject(lines.get(0));
      assertThat(ours.getString("level")).isEqualTo("INFO");
      assertThat(ours.getString("loggerName")).isEqualTo("io.tickstream.common.logging.Test");
      assertThat(ours.getString("formattedMessage")).isEqualTo("ours");
      assertThat(ours.getLong("timestamp")).isPositive();
      assertThat(new JsonObject(lines.get(1)).getString("level")).isEqualTo("WARN");
    }
  }

  @Test
  void anUnknownFormatIsAConfigurationError() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse(Map.of(), "--log-format=xml"))
        .hasMessageContaining("log-format").hasMessageContaining("text, json");
  }

  private String logWith(String... args) throws Exception {
    return logWith(Map.of(), args);
  }

  /** Resolves {@code args}, sets what {@link Logging#apply} sets, and logs through logback-base.xml in a fresh context. */
  private String logWith(Map<String, String> env, String... args) throws Exception {
    Config config = parse(env, args);
    System.setProperty(Logging.FORMAT_PROPERTY, config.get(Logging.FORMAT));
    System.setProperty(Logging.THIRD_PARTY_PROPERTY, config.get(Logging.VERBOSE) ? "INFO" : "WARN");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    context.start();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(new ByteArrayInputStream(
        "<configuration><include resource=\"io/tickstream/common/logging/logback-base.xml\"/></configuration>"
            .getBytes(StandardCharsets.UTF_8)));
    Logger ours = context.getLogger("io.tickstream.common.logging.Test");
    Logger kafka = context.getLogger("org.apache.kafka.Test");
    ours.info("ours");
    kafka.info("kafka info");
    kafka.warn("kafka warn");
    context.stop();
    System.setOut(stdout);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Config parse(Map<String, String> env, String... args) throws Exception {
    return Config.fromArgs("test", "test", Logging.with(List.of()), args, env, new PrintWriter(new StringWriter()))
        .orElseThrow();
  }
}
