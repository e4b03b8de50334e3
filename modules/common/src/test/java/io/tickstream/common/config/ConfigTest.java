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

  /** A launcher whose options stand for no setting. */
  private static Config.Launcher launcher(JsonObject conf, String usageFooter) {
    return new Config.Launcher() {
      @Override
      public JsonObject conf() {
        return conf;
      }

      @Override
      public String confName() {
        return "launcher -conf";
      }

      @Override
      public String usageFooter() {
        return usageFooter;
      }

      @Override
      public Config apply(Config resolved) {
        return resolved;
      }
    };
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
    Files.writeString(file, "{\"demo\":{\"port\":1000,\"ping-interval\":\"5s\"},\"demo.mode\":\"live\",\"kafka.bootstrap-servers\":[\"a:1\",\"b:2\"],\"loadgen.connections\":1}");

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
    Config c = Config.fromArgs("demo", "demo", ALL, new String[]{"--config", file.toString(), "--verbose=false"},
        Map.of("TICKSTREAM_DEMO_MODE", "simulated"), new PrintWriter(usage), launcher(base, null)).orElseThrow();
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
    assertThat(Config.fromArgs("demo", "demo", ALL, new String[]{"--help"}, Map.of(), new PrintWriter(usage),
        launcher(null, "Launcher options: -conf JSON"))).isEmpty();
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
  void anUnknownKeyInAFileIsAnErrorNamingTheClosestKnownKey(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("x.json"), "{\"demo\":{\"prot\":1}}");
    assertThatThrownBy(() -> args(Map.of(), "--config", file.toString())).isInstanceOf(ConfigException.class)
        .hasMessage("config file " + file + ": unknown key demo.prot (did you mean demo.port?)");
    Path flat = Files.writeString(dir.resolve("flat.json"), "{\"kafka.bootstrap-server\":\"a:1\",\"port\":1}");
    assertThatThrownBy(() -> args(Map.of(), "--config", flat.toString())).hasMessage("config file " + flat
        + ": unknown key kafka.bootstrap-server (did you mean kafka.bootstrap-servers?); unknown key port (did you mean demo.port?)");
  }

  @Test
  void keysOfOtherCommandsNamespacesAreIgnoredAndAMistypedNamespaceIsNot(@TempDir Path dir) throws Exception {
    Path shared = Files.writeString(dir.resolve("shared.json"),
        "{\"demo.port\":1,\"fanout\":{\"port\":8081,\"whatever\":2},\"loadgen.connections\":5,\"cluster.name\":\"c\"}");
    assertThat(args(Map.of(), "--config", shared.toString()).get(PORT)).isEqualTo(1);
    Path typo = Files.writeString(dir.resolve("typo.json"), "{\"fanotu\":{\"port\":8081}}");
    assertThatThrownBy(() -> args(Map.of(), "--config", typo.toString()))
        .hasMessageEndingWith("unknown key fanotu.port (did you mean fanout.port?)");
  }

  @Test
  void anUnknownTickstreamVariableIsAnErrorNamingTheClosestKnownVariable() throws Exception {
    assertThatThrownBy(() -> args(Map.of("TICKSTREAM_DEMO_PROT", "1"))).isInstanceOf(ConfigException.class)
        .hasMessage("unknown environment variable TICKSTREAM_DEMO_PROT (did you mean TICKSTREAM_DEMO_PORT?)");
    assertThatThrownBy(() -> args(Map.of("TICKSTREAM_KAFKA_BOOTSTRAP_SERVER", "a:1")))
        .hasMessage("unknown environment variable TICKSTREAM_KAFKA_BOOTSTRAP_SERVER (did you mean "
            + "TICKSTREAM_KAFKA_BOOTSTRAP_SERVERS?)");
    assertThatThrownBy(() -> args(Map.of("TICKSTREAM_FANOTU_PORT", "1")))
        .hasMessage("unknown environment variable TICKSTREAM_FANOTU_PORT (did you mean TICKSTREAM_FANOUT_PORT?)");
    assertThatThrownBy(() -> args(Map.of("TICKSTREAM_PORT", "1")))
        .hasMessage("unknown environment variable TICKSTREAM_PORT (did you mean TICKSTREAM_DEMO_PORT?)");
  }

  @Test
  void variablesOfOtherCommandsAndOfTheTestsAreIgnored() throws Exception {
    Map<String, String> shell = Map.of("TICKSTREAM_FANOUT_PORT", "8081", "TICKSTREAM_LOADGEN_CONNECTIONS", "9",
        "TICKSTREAM_TEST_KAFKA", "127.0.0.1:9092", "TICKSTREAM_LOG_FORMAT", "json", "TICKSTREAM_DEMO_PORT", "7",
        "PATH", "/usr/bin", "tickstream_demo_prot", "lower case is not ours");
    assertThat(args(shell).get(PORT)).isEqualTo(7);
  }

  @Test
  void aCommandOwnsTheNamespacesOfItsSettingsIncludingOnesNoOtherCommandKnows() throws Exception {
    Setting<String> format = Setting.ofChoice("log.format", "text", List.of("text", "json"), "Log format.");
    Setting<Integer> metrics = Setting.ofInt("metrics.port", 0, 0, 65535, "Metrics port.");
    List<Setting<?>> settings = List.of(PORT, format, metrics);
    Map<String, String> env = Map.of("TICKSTREAM_LOG_FORMAT", "json", "TICKSTREAM_METRICS_PORT", "9");
    Config c = Config.fromArgs("demo", "demo", settings, new String[0], env, new PrintWriter(usage)).orElseThrow();
    assertThat(c.get(format)).isEqualTo("json");
    assertThat(c.get(metrics)).isEqualTo(9);
    assertThatThrownBy(() -> Config.fromArgs("demo", "demo", settings, new String[0],
        Map.of("TICKSTREAM_LOG_FROMAT", "json"), new PrintWriter(usage)))
        .hasMessage("unknown environment variable TICKSTREAM_LOG_FROMAT (did you mean TICKSTREAM_LOG_FORMAT?)");
    // Without the setting, metrics is no known namespace: a variable in it is a mistake, not another command's.
    assertThatThrownBy(() -> args(Map.of("TICKSTREAM_METRICS_PORT", "9"))).hasMessageContaining("TICKSTREAM_METRICS_PORT");
  }

  @Test
  void aVerticleConfigIsCheckedUnlessItIsResolved() throws Exception {
    JsonObject union = new JsonObject().put("demo.port", 1).put("ingest.symbols", "BTCUSDT").put("local.exchange", "auto");
    assertThat(Config.fromJson(ALL, union, Map.of("TICKSTREAM_INGEST_SYMBOLS", "X")).get(PORT)).isEqualTo(1);
    assertThatThrownBy(() -> Config.fromJson(ALL, new JsonObject().put("demo.prot", 1), Map.of()))
        .hasMessage("verticle config: unknown key demo.prot (did you mean demo.port?)");
    assertThatThrownBy(() -> Config.fromJson(ALL, new JsonObject(), Map.of("TICKSTREAM_DEMO_PROT", "1")))
        .hasMessageContaining("TICKSTREAM_DEMO_PROT");
    // Written by toResolvedJson() from settings already checked, possibly more than this verticle reads.
    JsonObject resolved = Config.defaults(List.of(PORT, PING, Setting.ofInt("demo.extra", 1, 0, 2, "x"))).toResolvedJson();
    assertThat(Config.fromJson(ALL, resolved, Map.of("TICKSTREAM_DEMO_PROT", "1")).get(PORT)).isEqualTo(9443);
    assertThat(Config.fromJson(ALL, new JsonObject().put(Config.RESOLVED, false), Map.of()).get(PORT)).isEqualTo(9443);
  }

  @Test
  void printConfigShowsEveryValueWithItsOriginAndStartsNothing(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("conf.json"), "{\"demo.mode\":\"live\",\"demo.port\":1}");
    Map<String, String> env = Map.of("TICKSTREAM_DEMO_PING_INTERVAL", "250ms");
    assertThat(Config.fromArgs("demo", "demo", ALL, new String[]{"--config", file.toString(), "--port=81",
        "--print-config"}, env, new PrintWriter(usage))).isEmpty();
    List<String> lines = usage.toString().lines().toList();
    assertThat(lines).containsExactly(
        "demo.port                81              flag --demo.port",
        "demo.ping-interval       250ms           env TICKSTREAM_DEMO_PING_INTERVAL",
        "demo.verbose             false           default",
        "kafka.bootstrap-servers  127.0.0.1:9092  default",
        "demo.mode                live            file " + file);
  }

  @Test
  void printConfigStillRefusesWhatWouldNotStart() {
    assertThatThrownBy(() -> args(Map.of("TICKSTREAM_DEMO_PROT", "1"), "--print-config"))
        .hasMessageContaining("TICKSTREAM_DEMO_PROT");
    assertThatThrownBy(() -> args(Map.of(), "--print-config", "--port=x")).hasMessage("demo.port: 'x' must be a number");
  }

  @Test
  void describeSourcesKeepsLongValuesFromPushingEveryLine() {
    Setting<String> url = Setting.ofString("demo.url", "https://example.com/a/very/long/path/that/goes/on/and/on", "URL.");
    String[] lines = Config.defaults(List.of(url, PORT)).describeSources().split("\n");
    assertThat(lines[0]).isEqualTo("demo.url   https://example.com/a/very/long/path/that/goes/on/and/on  default");
    assertThat(lines[1]).isEqualTo("demo.port  9443  default");
  }

  @Test
  void editDistanceCountsASwapOfNeighboursAsOne() {
    assertThat(UnknownKeys.distance("fanout.prot", "fanout.port")).isEqualTo(1);
    assertThat(UnknownKeys.distance("port", "fanout.port")).isEqualTo(7);
    assertThat(UnknownKeys.distance("", "abc")).isEqualTo(3);
    assertThat(UnknownKeys.distance("kitten", "sitting")).isEqualTo(3);
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
