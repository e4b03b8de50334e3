package io.tickstream.common.launch.impl;

import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.tickstream.common.launch.RoleApplication;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tickstream.common.launch.impl.DemoRoles.INSTANCES;
import static io.tickstream.common.launch.impl.DemoRoles.MODE;
import static io.tickstream.common.launch.impl.DemoRoles.PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoleCommandLineTest {

  private static final String SCALABLE = "io.tickstream.demo.ScalableVerticle";
  private static final String SINGLE = "io.tickstream.demo.SingleVerticle";

  private final StringWriter usage = new StringWriter();

  private RoleCommandLine parse(Map<String, String> env, String... args) throws ConfigException {
    return RoleCommandLine.parse(args, SCALABLE, env, new PrintWriter(usage)).orElseThrow();
  }

  private RoleCommandLine parse(String... args) throws ConfigException {
    return parse(Map.of(), args);
  }

  @Test
  void launcherOptionsGoToVertxApplicationAsTheyAreAndDoubleDashFlagsStayTickstreams() throws Exception {
    RoleCommandLine line = parse("--port=81", "-conf", "{\"demo.mode\":\"conf\"}", "-cluster-port", "6000",
        "-options={\"eventLoopPoolSize\":2}", "--demo.instances", "2", "-deployment-options", "{}");
    assertThat(line.launcherArgs()).containsExactly(SCALABLE, "-conf", "{\"demo.mode\":\"conf\"}", "-cluster-port", "6000",
        "-options", "{\"eventLoopPoolSize\":2}", "-deployment-options", "{}", "-cluster");
    assertThat(line.config().get(PORT)).isEqualTo(81);
    assertThat(line.config().get(MODE)).isEqualTo("conf");
    assertThat(line.config().get(INSTANCES)).isEqualTo(2);
    assertThat(line.role().name()).isEqualTo("demo");
  }

  @Test
  void precedenceIsDefaultsThenConfThenConfigFileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tickstream.json");
    Files.writeString(file, "{\"demo\":{\"port\":2000}, \"cluster.name\":\"from-file\"}");
    String conf = "{\"demo.port\":1000,\"demo.mode\":\"conf\",\"cluster\":{\"name\":\"from-conf\",\"port\":6100}}";

    Config fromConf = parse("-conf", conf).config();
    assertThat(fromConf.get(PORT)).isEqualTo(1000);
    assertThat(fromConf.get(ClusterSettings.PORT)).isEqualTo(6100);
    assertThat(fromConf.get(ClusterSettings.MEMBERS)).isEqualTo(ClusterSettings.MEMBERS.defaultValue());

    Config withFile = parse("-conf", conf, "--config", file.toString()).config();
    assertThat(withFile.get(PORT)).isEqualTo(2000);
    assertThat(withFile.get(MODE)).isEqualTo("conf");
    assertThat(withFile.get(ClusterSettings.NAME)).isEqualTo("from-file");

    Map<String, String> env = Map.of("TICKSTREAM_DEMO_PORT", "3000", "TICKSTREAM_DEMO_MODE", "env");
    Config withEnv = parse(env, "-conf", conf, "--config", file.toString()).config();
    assertThat(withEnv.get(PORT)).isEqualTo(3000);
    assertThat(withEnv.get(MODE)).isEqualTo("env");

    Config withFlag = parse(env, "-conf", conf, "--config", file.toString(), "--port", "4000").config();
    assertThat(withFlag.get(PORT)).isEqualTo(4000);
    assertThat(withFlag.get(MODE)).isEqualTo("env");
    // What the verticle is deployed with: exactly these values, whatever the environment says.
    assertThat(Config.fromJson(List.of(PORT, MODE), withFlag.toResolvedJson(), env).get(PORT)).isEqualTo(4000);
  }

  @Test
  void aConfFileIsReadLikeVertxApplicationReadsIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("conf.json");
    Files.writeString(file, new JsonObject().put("demo.port", 1234).encode());
    assertThat(parse("-conf=" + file).config().get(PORT)).isEqualTo(1234);
  }

  @Test
  void clusteredByDefaultWithOrWithoutDashClusterAndPlainWhenDisabled() throws Exception {
    assertThat(parse().launcherArgs()).containsExactly(SCALABLE, "-cluster");
    assertThat(parse().clustered()).isTrue();
    assertThat(parse("-cluster").launcherArgs()).containsExactly(SCALABLE, "-cluster");
    RoleCommandLine alone = parse("--cluster.enabled=false");
    assertThat(alone.clustered()).isFalse();
    assertThat(alone.launcherArgs()).containsExactly(SCALABLE);
    assertThat(parse(Map.of("TICKSTREAM_CLUSTER_ENABLED", "false")).launcherArgs()).containsExactly(SCALABLE);

    assertThatThrownBy(() -> parse("-cluster", "--cluster.enabled=false"))
        .hasMessage("tickstream demo: -cluster contradicts cluster.enabled=false (flag); give one of them");
    assertThatThrownBy(() -> parse(Map.of("TICKSTREAM_CLUSTER_ENABLED", "false"), "-cluster"))
        .hasMessageContaining("(env)");
  }

  @Test
  void clusterHostAndPublicHostAreFurtherSpellingsOfTheClusterSettings() throws Exception {
    RoleCommandLine line = parse("-cluster-host", "10.0.0.5", "-cluster-public-host=203.0.113.7");
    assertThat(line.config().get(ClusterSettings.INTERFACE)).isEqualTo("10.0.0.5");
    assertThat(line.config().get(ClusterSettings.PUBLIC_ADDRESS)).isEqualTo("203.0.113.7");
    assertThat(line.launcherArgs()).contains("-cluster-host", "10.0.0.5", "-cluster-public-host", "203.0.113.7");
    // Over the environment, as a flag is; the same value twice is no contradiction.
    assertThat(parse(Map.of("TICKSTREAM_CLUSTER_INTERFACE", "10.0.0.9"), "-cluster-host", "10.0.0.5")
        .config().get(ClusterSettings.INTERFACE)).isEqualTo("10.0.0.5");
    assertThat(parse("-cluster-host", "10.0.0.5", "--cluster.interface=10.0.0.5").config().get(ClusterSettings.INTERFACE))
        .isEqualTo("10.0.0.5");

    assertThatThrownBy(() -> parse("-cluster-host", "10.0.0.5", "--cluster.interface=10.0.0.6"))
        .hasMessage("tickstream demo: -cluster-host 10.0.0.5 contradicts --cluster.interface=10.0.0.6; give one of them");
    assertThatThrownBy(() -> parse("-cluster-port", "http")).hasMessageContaining("-cluster-port must be a number");
  }

  @Test
  void instancesSetTheRolesInstancesSettingAndNeverDeployTheVerticleTwice() throws Exception {
    assertThat(parse("-instances", "4").config().get(INSTANCES)).isEqualTo(4);
    assertThat(parse("-instances=3").config().sourceOf(INSTANCES)).isEqualTo(Config.Source.FLAG);
    assertThat(parse("-deployment-options", "{\"instances\":2}").config().get(INSTANCES)).isEqualTo(2);
    assertThat(parse("-instances", "4", "-deployment-options", "{\"instances\":2}").config().get(INSTANCES)).isEqualTo(4);
    assertThat(parse("-instances", "4", "--instances=4").config().get(INSTANCES)).isEqualTo(4);

    assertThatThrownBy(() -> parse("-instances", "4", "--instances=2"))
        .hasMessage("tickstream demo: -instances 4 contradicts --demo.instances=2; give one of them");
    assertThatThrownBy(() -> parse("-instances", "0")).hasMessageContaining("-instances must be a number from 1");
    assertThatThrownBy(() -> parse("-instances", "65")).hasMessageContaining("demo.instances: '65' must be between 0 and 64");
  }

  @Test
  void aRoleWithoutAnInstancesSettingRunsOneAndRefusesMore() throws Exception {
    PrintWriter out = new PrintWriter(usage);
    assertThat(RoleCommandLine.parse(new String[]{SINGLE, "-instances", "1"}, null, Map.of(), out).orElseThrow()
        .role().name()).isEqualTo("single");
    assertThatThrownBy(() -> RoleCommandLine.parse(new String[]{SINGLE, "-instances", "2"}, null, Map.of(), out))
        .hasMessageStartingWith("tickstream single: -instances 2 is not supported: tickstream single runs one instance");
    assertThatThrownBy(() -> RoleCommandLine.parse(new String[]{SINGLE, "-deployment-options={\"instances\":3}"}, null,
        Map.of(), out)).hasMessageContaining("-deployment-options instances 3 is not supported");
  }

  @Test
  void whatARoleCannotRunIsRefusedBeforeAnythingStarts() {
    assertThatThrownBy(() -> parse("-worker")).hasMessage(
        "tickstream demo: -worker is not supported: tickstream demo runs its verticle on event loops");
    assertThatThrownBy(() -> parse("-deployment-options", "{\"threadingModel\":\"VIRTUAL_THREAD\"}"))
        .hasMessageContaining("runs its verticle on event loops, not VIRTUAL_THREAD");
    assertThatThrownBy(() -> parse("-conf", "{port:")).hasMessage(
        "tickstream demo: -conf is neither a JSON file nor a JSON object: {port:");
    assertThatThrownBy(() -> parse("-options", "nope")).hasMessageContaining("-options is neither");
    assertThatThrownBy(() -> parse("-conf")).hasMessage("tickstream demo: -conf needs a value (see --help)");
    assertThatThrownBy(() -> parse("--prot=1")).hasMessageContaining("tickstream demo: Unknown option: '--prot=1'");
    assertThatThrownBy(() -> parse("-instances", "2", "-instances", "3")).hasMessageContaining("-instances is given twice");
  }

  @Test
  void unknownKeysOfTheConfAndUnknownVariablesAreRefusedNamingTheClosestKnownOne() {
    assertThatThrownBy(() -> parse("-conf", "{\"demo\":{\"prot\":1}}")).isInstanceOf(ConfigException.class)
        .hasMessage("tickstream demo: launcher -conf: unknown key demo.prot (did you mean demo.port?)");
    assertThatThrownBy(() -> parse(Map.of("TICKSTREAM_CLUSTER_NAEM", "x")))
        .hasMessage("tickstream demo: unknown environment variable TICKSTREAM_CLUSTER_NAEM (did you mean "
            + "TICKSTREAM_CLUSTER_NAME?)");
  }

  @Test
  void printConfigShowsTheLauncherOptionsAsTheFlagsTheyStandForAndStartsNothing() throws Exception {
    assertThat(RoleCommandLine.parse(new String[]{"-conf", "{\"demo.mode\":\"conf\",\"fanout.port\":1}",
        "-cluster-host", "10.0.0.5", "-instances", "3", "--print-config"}, SCALABLE, Map.of("TICKSTREAM_DEMO_PORT", "7"),
        new PrintWriter(usage))).isEmpty();
    assertThat(usage.toString().lines().map(l -> l.replaceAll(" +", " ")))
        .contains("demo.port 7 env TICKSTREAM_DEMO_PORT", "demo.instances 3 flag -instances",
            "demo.mode conf launcher -conf", "cluster.interface 10.0.0.5 flag -cluster-host", "cluster.name tickstream default");
    assertThatThrownBy(() -> parse("-cluster", "--cluster.enabled=false", "--print-config"))
        .hasMessageContaining("-cluster contradicts cluster.enabled=false");
  }

  @Test
  void theVerticleIsNamedFirstOrByTheManifest() {
    PrintWriter out = new PrintWriter(usage);
    assertThatThrownBy(() -> RoleCommandLine.parse(new String[]{"--port=1"}, null, Map.of(), out))
        .hasMessage("tickstream: name the verticle to run first (" + SCALABLE + ", " + SINGLE + "), or run a role's jar");
    assertThatThrownBy(() -> RoleCommandLine.parse(new String[]{"com.example.Other"}, SCALABLE, Map.of(), out))
        .hasMessageStartingWith("tickstream: no role runs com.example.Other");
    // The test classes are no jar with a manifest naming RoleApplication.
    assertThat(RoleCommandLine.mainVerticle(RoleApplication.class)).isNull();
  }

  @Test
  void helpListsTheLauncherOptionsAfterTheFlags() throws Exception {
    assertThat(RoleCommandLine.parse(new String[]{"--help"}, SCALABLE, Map.of(), new PrintWriter(usage))).isEmpty();
    assertThat(usage.toString())
        .contains("--port, --demo.port=N", "--config=FILE", "--cluster.enabled")
        .contains("Vert.x launcher options", "-conf=JSON|FILE", "-instances=N              Same as --demo.instances=N.",
            "-cluster-host=ADDRESS", "-cluster-port=PORT", "-options=JSON|FILE", "-deployment-options=JSON|FILE");
  }
}
