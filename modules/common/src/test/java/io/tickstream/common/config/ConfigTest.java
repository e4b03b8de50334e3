package io.tickstream.common.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {

  static final Setting<Integer> PORT = Setting.ofInt("demo.port", 9443, 0, 65535, "Port to listen on.");
  static final Setting<Duration> PING = Setting.ofDuration("demo.ping-interval", Duration.ofSeconds(20), "Ping interval.");
  static final Setting<Boolean> VERBOSE = Setting.ofBoolean("demo.verbose", false, "Log more.");
  static final Setting<List<String>> SERVERS = Setting.ofList("kafka.bootstrap-servers", List.of("127.0.0.1:9092"), "Kafka brokers.");
  static final Setting<String> MODE = Setting.ofChoice("demo.mode", "auto", List.of("auto", "live", "simulated"), "Mode.");
  static final List<Setting<?>> ALL = List.of(PORT, PING, VERBOSE, SERVERS, MODE);

  private final StringWriter usage = new StringWriter();

  private Config args(Map<String, String> env, String... args) throws ConfigException {
    return Config.fromArgs("demo", "demo", ALL, args, env, new PrintWriter(usage)).orElseThrow();
  }

  @Test
  void defaultsApplyWhenNothingIsSet() throws Exception {
    Config c = args(Map.of());
    assertThat(c.get(PORT)).isEqualTo(9443);
    assertThat(c.get(PING)).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.get(VERBOSE)).isFalse();
    assertThat(c.get(SERVERS)).containsExactly("127.0.0.1:9092");
    assertThat(c.sourceOf(PORT)).isEqualTo(Config.Source.DEFAULT);
  }

  @Test
  void aValueStartingWithAtIsTakenAsItIsNotAsAnArgumentFile(@TempDir Path dir) throws Exception {
    Path list = Files.writeString(dir.resolve("servers.txt"), "--demo.port=1\n");
    Config c = args(Map.of(), "--kafka.bootstrap-servers", "@" + list);
    assertThat(c.get(SERVERS)).containsExactly("@" + list);
    assertThat(c.get(PORT)).isEqualTo(9443);
  }

  @Test
  void fileThenEnvironmentThenFlagsEachOverrideTheOneBefore(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("conf.json");
    Files.writeString(file, "{\"demo\":{\"port\":1000,\"ping-interval\":\"5s\"},\"demo.mode\":\"live\",\"kafka.bootstrap-servers\":[\"a:1\",\"b:2\"],\"other.role.key\":1}");

    Config fileOnly = args(Map.of(), "--config", file.toString());
    assertThat(fileOnly.get(PORT)).isEqualTo(1000);
    assertThat(fileOnly.get(PING)).isEqualTo(Duration.ofSeconds(5));
    assertThat(fileOnly.get(MODE)).isEqualTo("live");
    assertThat(fileOnly.get(SERVERS)).containsExactly("a:1", "b:2");
    assertThat(fileOnly.sourceOf(PORT)).isEqualTo(Config.Source.FILE);

    Map<String, String> env = Map.of("TICKSTREAM_DEMO_PORT", "2000", "TICKSTREAM_DEMO_PING_INTERVAL", "250ms");
    Config withEnv = args(env, "--config", file.toString());
    assertThat(withEnv.get(PORT)).isEqualTo(2000);
    assertThat(withEnv.get(PING)).isEqualTo(Duration.ofMillis(250));
    assertThat(withEnv.sourceOf(PORT)).isEqualTo(Config.Source.ENV);

    Config withFlags = args(env, "--config", file.toString(), "--port=3000", "--demo.ping-interval", "1m");
    assertThat(withFlags.get(PORT)).isEqualTo(3000);
    assertThat(withFlags.get(PING)).isEqualTo(Duration.ofMinutes(1));
    assertThat(withFlags.sourceOf(PORT)).isEqualTo(Config.Source.FLAG);
  }

  @Test
  void aBaseJsonIsOverriddenByTheFileTheEnvironmentAndTheFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("conf.json");
    Files.writeString(file, "{\"demo\":{\"ping-interval\":\"5s\"}}");
    JsonObject base = new JsonObject().put("demo", new JsonObject().put("port", 1000).put("ping-interval", "1s"))
        .put("demo.mode", "live").put("demo.verbose", true);
    Config c = Config.fromArgs("demo", "demo", ALL, new String[]{"--config", file.toString(), "--verbose=false"}, base,
        Map.of("TICKSTREAM_DEMO_MODE", "simulated"), new PrintWriter(usage), null).orElseThrow();
    assertThat(c.get(PORT)).isEqualTo(1000);
    assertThat(c.sourceOf(PORT)).isEqualTo(Config.Source.FILE);
    assertThat(c.get(PING)).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.get(MODE)).isEqualTo("simulated");
    assertThat(c.get(VERBOSE)).isFalse();
  }

  @Test
  void aResolvedJsonKeepsItsValuesOverTheEnvironment() throws Exception {
    Config flagged = args(Map.of("TICKSTREAM_DEMO_PORT", "5"), "--port=81");
    Map<String, String> env = Map.of("TICKSTREAM_DEMO_PORT", "5");
    assertThat(Config.fromJson(ALL, flagged.toResolvedJson(), env).get(PORT)).isEqualTo(81);
    assertThat(Config.fromJson(ALL, flagged.toJson(), env).get(PORT)).isEqualTo(5);
  }

  @Test
  void theUsageFooterEndsTheHelp() throws Exception {
    assertThat(Config.fromArgs("demo", "demo", ALL, new String[]{"--help"}, null, Map.of(), new PrintWriter(usage),
        "Launcher options: -conf JSON")).isEmpty();
    assertThat(usage.toString().strip()).endsWith("Launcher options: -conf JSON");
  }

  @Test
  void flagsOfOtherPrefixesNeedTheirFullKey() throws Exception {
    Config c = args(Map.of(), "--kafka.bootstrap-servers=x:1,y:2", "--verbose");
    assertThat(c.get(SERVERS)).containsExactly("x:1", "y:2");
    assertThat(c.get(VERBOSE)).isTrue();
    assertThatThrownBy(() -> args(Map.of(), "--bootstrap-servers=x:1"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--bootstrap-servers");
  }

  @Test
  void badValuesAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> args(Map.of(), "--port=abc")).hasMessage("demo.port: 'abc' must be a number");
    assertThatThrownBy(() -> args(Map.of(), "--port=70000")).hasMessage("demo.port: '70000' must be between 0 and 65535");
    assertThatThrownBy(() -> args(Map.of("TICKSTREAM_DEMO_PING_INTERVAL", "soon")))
        .hasMessageContaining("demo.ping-interval: 'soon' must be a duration");
    assertThatThrownBy(() -> args(Map.of(), "--mode=paper")).hasMessageContaining("must be one of auto, live, simulated");
    assertThatThrownBy(() -> args(Map.of(), "--verbose=maybe")).hasMessageContaining("must be true or false");
  }

  @Test
  void unknownFlagsAndUnreadableFilesAreErrors(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> args(Map.of(), "--prot=1")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("Unknown option: '--prot=1'");
    assertThatThrownBy(() -> args(Map.of(), "--config", dir.resolve("missing.json").toString()))
        .hasMessageContaining("cannot read config file");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{port:");
    assertThatThrownBy(() -> args(Map.of(), "--config", broken.toString())).hasMessageContaining("is not a JSON object");
  }

  @Test
  void helpPrintsEveryKnobWithDefaultAndEnvironmentVariable() throws Exception {
    assertThat(Config.fromArgs("demo", "demo", ALL, new String[]{"--help"}, Map.of(), new PrintWriter(usage))).isEmpty();
    assertThat(usage.toString())
        .contains("--port=N", "--demo.port=N", "(default: 9443; env TICKSTREAM_DEMO_PORT)")
        .contains("--kafka.bootstrap-servers", "--ping-interval=DURATION", "(default: 20s;", "--config=FILE");
  }

  @Test
  void verticleConfigJsonRoundTrips() throws Exception {
    Config c = Config.defaults(ALL).with(PORT, 1234).with(PING, Duration.ofMillis(1500));
    JsonObject json = c.toJson();
    assertThat(json.getString("demo.ping-interval")).isEqualTo("1500ms");
    Config back = Config.fromJson(ALL, json, Map.of());
    assertThat(back.get(PORT)).isEqualTo(1234);
    assertThat(back.get(PING)).isEqualTo(Duration.ofMillis(1500));
    assertThat(back.get(SERVERS)).isEqualTo(c.get(SERVERS));
    assertThat(Config.fromJson(ALL, json, Map.of("TICKSTREAM_DEMO_PORT", "5")).get(PORT)).isEqualTo(5);
  }

  @Test
  void describeListsValuesAndSourcesForStartupLogs() throws Exception {
    Config c = args(Map.of("TICKSTREAM_DEMO_VERBOSE", "yes"), "--port", "81");
    assertThat(c.describe()).contains("demo.port = 81 (flag)", "demo.verbose = true (env)", "demo.ping-interval = 20s (default)");
  }

  @Test
  void markdownTableDocumentsEverySetting() {
    String table = Config.markdownTable(ALL);
    for (Setting<?> s : ALL) {
      assertThat(table).contains("`" + s.key() + "`", "`" + s.envVar() + "`");
    }
  }

  @Test
  void aDecimalSettingTakesFractionsWithinItsRangeAndPrintsItsDefaultPlainly() throws Exception {
    Setting<Double> share = Setting.ofDouble("demo.share-percent", 0, 0, 100, "Share.");
    List<Setting<?>> settings = List.of(share);
    assertThat(share.defaultText()).isEqualTo("0");
    assertThat(Config.fromArgs("demo", "demo", settings, new String[]{"--share-percent", "0.5"}, Map.of(),
        new PrintWriter(usage)).orElseThrow().get(share)).isEqualTo(0.5);
    assertThat(Config.fromJson(settings, new JsonObject().put("demo.share-percent", 1), Map.of()).get(share))
        .isEqualTo(1.0);
    assertThatThrownBy(() -> share.parse("100.5")).hasMessage("demo.share-percent: '100.5' must be between 0 and 100");
    assertThatThrownBy(() -> share.parse("NaN")).hasMessageContaining("must be between");
    assertThatThrownBy(() -> share.parse("lots")).hasMessage("demo.share-percent: 'lots' must be a number");
  }

  @Test
  void keysMustBeDottedKebabCase() {
    assertThatThrownBy(() -> Setting.ofInt("Demo_Port", 1, 0, 2, "x")).isInstanceOf(IllegalArgumentException.class);
  }
}
