package io.tickstream.common.launch.impl;

import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.tickstream.common.config.Setting;
import io.tickstream.common.launch.Role;
import io.tickstream.common.logging.Logging;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * A role process's command line, split in two: the Vert.x launcher options (one dash), handed to
 * {@code VertxApplication} as they are, and tickstream's own flags (two dashes), resolved with {@code -conf},
 * {@code --config} and the environment into the role's {@link Config}.
 *
 * <p>Launcher options that name something a tickstream setting also names count as that setting's flag:
 * {@code -cluster-host} is {@code --cluster.interface}, {@code -cluster-public-host} is
 * {@code --cluster.public-address}, {@code -instances} is the role's {@link Role#instancesSetting()}. Giving both
 * spellings with different values is an error, as is {@code -cluster} with {@code cluster.enabled=false}.
 * Everything is checked here, before Vert.x starts, so a bad command line exits with 2 and starts nothing.
 *
 * <p>Built once on the thread running {@code main}; immutable afterwards.
 */
public final class RoleCommandLine {

  static final String CLUSTER = "-cluster";
  /** Launcher options that take a value; {@code -vertx-options} is VertxApplication's other name for {@code -options}. */
  static final Set<String> WITH_VALUE = Set.of("-conf", "-instances", "-options", "-vertx-options",
      "-deployment-options", "-cluster-host", "-cluster-port", "-cluster-public-host", "-cluster-public-port");
  /** VertxApplication takes these, but a role's verticle is written for an event loop. */
  static final Set<String> REFUSED = Set.of("-worker", "-w", "-virtual-thread", "-vt");

  private final Role role;
  private final Config config;
  private final String[] launcherArgs;

  private RoleCommandLine(Role role, Config config, List<String> launcherArgs) {
    this.role = role;
    this.config = config;
    this.launcherArgs = launcherArgs.toArray(String[]::new);
  }

  /** The role being run. */
  public Role role() {
    return role;
  }

  /** The role's settings and the cluster settings, resolved. */
  public Config config() {
    return config;
  }

  /** Whether Vert.x is clustered ({@code cluster.enabled}). */
  public boolean clustered() {
    return config.get(ClusterSettings.ENABLED);
  }

  /** What VertxApplication parses: the verticle, then the launcher options as given, then {@code -cluster} if clustered. */
  public String[] launcherArgs() {
    return launcherArgs.clone();
  }

  /**
   * Parses {@code args}: an optional verticle class name first (as with {@code vertx run}), then launcher options
   * and tickstream flags in any order.
   *
   * @param mainVerticle the {@code Main-Verticle} of the jar, used when {@code args} names no verticle; may be null
   * @return the command line, or empty if {@code --help} was printed to {@code out}
   * @throws ConfigException for anything wrong with {@code args}, its message starting with the command
   */
  public static Optional<RoleCommandLine> parse(String[] args, String mainVerticle, Map<String, String> env,
                                                PrintWriter out) throws ConfigException {
    List<String> rest = new ArrayList<>(List.of(args));
    String verticle = !rest.isEmpty() && !rest.get(0).startsWith("-") ? rest.remove(0) : mainVerticle;
    Role role = role(verticle);
    try {
      return parse(role, rest, env, out);
    } catch (ConfigException e) {
      throw new ConfigException(role.command() + ": " + e.getMessage(), e);
    }
  }

  private static Optional<RoleCommandLine> parse(Role role, List<String> args, Map<String, String> env,
                                                 PrintWriter out) throws ConfigException {
    Map<String, String> launcher = new HashMap<>();
    List<String> launcherArgs = new ArrayList<>(List.of(role.verticle()));
    List<String> flags = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      if (WITH_VALUE.contains(name)) {
        if (eq < 0 && i + 1 == args.size()) {
          throw new ConfigException(name + " needs a value (see --help)");
        }
        String value = eq < 0 ? args.get(++i) : arg.substring(eq + 1);
        if (launcher.put(name.equals("-vertx-options") ? "-options" : name, value) != null) {
          throw new ConfigException(name + " is given twice");
        }
        launcherArgs.add(name);
        launcherArgs.add(value);
      } else if (arg.equals(CLUSTER)) {
        launcher.put(CLUSTER, "");
        launcherArgs.add(arg);
      } else if (REFUSED.contains(name)) {
        throw new ConfigException(name + " is not supported: " + role.command() + " runs its verticle on event loops");
      } else {
        flags.add(arg);
      }
    }
    JsonObject conf = json(launcher, "-conf");
    Optional<Config> parsed = Config.fromArgs(role.command(), role.name(), withCluster(role.settings()),
        flags.toArray(String[]::new), env, out, new Config.Launcher() {
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
            return RoleCommandLine.usageFooter(role);
          }

          @Override
          public Config apply(Config resolved) throws ConfigException {
            return launcherOptions(role, resolved, launcher);
          }
        });
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    Config config = parsed.get();
    if (config.get(ClusterSettings.ENABLED) && !launcher.containsKey(CLUSTER)) {
      launcherArgs.add(CLUSTER);
    }
    return Optional.of(new RoleCommandLine(role, config, launcherArgs));
  }

  /**
   * {@code config} with the launcher options that stand for settings applied, every launcher option checked:
   * before {@code --print-config} prints, so it prints what would run, and refuses what would not.
   */
  private static Config launcherOptions(Role role, Config config, Map<String, String> launcher) throws ConfigException {
    config = asFlag(config, ClusterSettings.INTERFACE, "-cluster-host", launcher.get("-cluster-host"));
    config = asFlag(config, ClusterSettings.PUBLIC_ADDRESS, "-cluster-public-host", launcher.get("-cluster-public-host"));
    port(launcher, "-cluster-port");
    port(launcher, "-cluster-public-port");
    json(launcher, "-options");
    config = instances(role, config, launcher);
    if (!config.get(ClusterSettings.ENABLED) && launcher.containsKey(CLUSTER)) {
      throw new ConfigException("-cluster contradicts cluster.enabled=false (" + config.sourceOf(ClusterSettings.ENABLED)
          .name().toLowerCase() + "); give one of them");
    }
    return config;
  }

  /** Applies {@code -instances N}, or the {@code instances} of {@code -deployment-options}, to the role. */
  private static Config instances(Role role, Config config, Map<String, String> launcher) throws ConfigException {
    JsonObject json = json(launcher, "-deployment-options");
    DeploymentOptions deployment = new DeploymentOptions(json == null ? new JsonObject() : json);
    if (deployment.getThreadingModel() != ThreadingModel.EVENT_LOOP) {
      throw new ConfigException("-deployment-options: " + role.command() + " runs its verticle on event loops, not "
          + deployment.getThreadingModel());
    }
    String option = launcher.containsKey("-instances") ? "-instances" : "-deployment-options instances";
    String text = launcher.containsKey("-instances") ? launcher.get("-instances")
        : json != null && json.containsKey("instances") ? String.valueOf(deployment.getInstances()) : null;
    if (text == null) {
      return config;
    }
    int n = number(option, text, 1, Integer.MAX_VALUE);
    Optional<Setting<Integer>> setting = role.instancesSetting();
    if (setting.isPresent()) {
      return asFlag(config, setting.get(), option, text);
    }
    if (n > 1) {
      throw new ConfigException(option + " " + n + " is not supported: " + role.command() + " runs one instance of "
          + "its verticle per process (each instance would hold everything the role holds once more)");
    }
    return config;
  }

  /** {@code config} with {@code setting} set from a launcher option, unless a flag already set it differently. */
  private static <T> Config asFlag(Config config, Setting<T> setting, String option, String text) throws ConfigException {
    if (text == null) {
      return config;
    }
    T value = setting.parse(text);
    if (config.sourceOf(setting) == Config.Source.FLAG && !value.equals(config.get(setting))) {
      throw new ConfigException(option + " " + text + " contradicts --" + setting.key() + "=" + config.get(setting)
          + "; give one of them");
    }
    return config.with(setting, value, "flag " + option);
  }

  private static void port(Map<String, String> launcher, String option) throws ConfigException {
    if (launcher.containsKey(option)) {
      number(option, launcher.get(option), 0, 65_535);
    }
  }

  private static int number(String option, String text, int min, int max) throws ConfigException {
    try {
      int n = Integer.parseInt(text.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new ConfigException(option + " must be a number from " + min + " to " + max + ", not '" + text + "'");
  }

  /**
   * The JSON of a launcher option, read as VertxApplication reads it (a file if there is one at that path,
   * otherwise the text itself), or null if the option is absent. Unlike VertxApplication, which warns and goes
   * on without it, neither being JSON is an error.
   */
  static JsonObject json(Map<String, String> launcher, String option) throws ConfigException {
    String text = launcher.get(option);
    if (text == null) {
      return null;
    }
    try {
      Path path = Path.of(text);
      if (Files.isRegularFile(path)) {
        return Config.readFile(path);
      }
    } catch (InvalidPathException e) {
      // Not a path: JSON text.
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException(option + " is neither a JSON file nor a JSON object: " + text);
    }
  }

  /** The role's settings, the cluster ones and the log ones, each once. */
  static List<Setting<?>> withCluster(List<Setting<?>> settings) {
    List<Setting<?>> all = new ArrayList<>(settings);
    for (Setting<?> s : Logging.with(ClusterSettings.ALL)) {
      if (all.stream().noneMatch(a -> a.key().equals(s.key()))) {
        all.add(s);
      }
    }
    return all;
  }

  /** The role whose verticle is {@code verticle}, among the {@link Role}s on the class path. */
  static Role role(String verticle) throws ConfigException {
    List<Role> roles = ServiceLoader.load(Role.class).stream().map(ServiceLoader.Provider::get).toList();
    String known = roles.stream().map(Role::verticle).sorted().collect(Collectors.joining(", "));
    if (verticle == null) {
      throw new ConfigException("tickstream: name the verticle to run first (" + known + "), or run a role's jar");
    }
    return roles.stream().filter(r -> r.verticle().equals(verticle)).findFirst().orElseThrow(() ->
        new ConfigException("tickstream: no role runs " + verticle + " (known: " + (known.isEmpty() ? "none" : known) + ")"));
  }

  /** The {@code Main-Verticle} of the jar whose {@code Main-Class} is {@code mainClass}, as VertxApplication finds it; null if none. */
  public static String mainVerticle(Class<?> mainClass) {
    try {
      Enumeration<URL> manifests = mainClass.getClassLoader().getResources("META-INF/MANIFEST.MF");
      while (manifests.hasMoreElements()) {
        try (InputStream in = manifests.nextElement().openStream()) {
          java.util.jar.Attributes main = new Manifest(in).getMainAttributes();
          if (mainClass.getName().equals(main.getValue("Main-Class"))) {
            return main.getValue("Main-Verticle");
          }
        }
      }
    } catch (IOException e) {
      // As if there were no manifest: the verticle must then be named on the command line.
    }
    return null;
  }

  private static String usageFooter(Role role) {
    String instances = role.instancesSetting().map(s -> "Same as --" + s.key() + "=N.")
        .orElse("1 only: one instance of the verticle per process.");
    return String.join("%n",
        "",
        "Vert.x launcher options (one dash; passed to io.vertx.launcher.application.VertxApplication as they are):",
        "      -conf=JSON|FILE           The verticle's config, under --config, TICKSTREAM_* and flags.",
        "      -instances=N              " + instances,
        "      -cluster                  Clustered, the default; --cluster.enabled=false runs the node alone.",
        "      -cluster-host=ADDRESS     Same as --cluster.interface=ADDRESS (Hazelcast and the event bus bind there).",
        "      -cluster-port=PORT        Event bus port (default: random); the Hazelcast port is --cluster.port.",
        "      -cluster-public-host=HOST Same as --cluster.public-address=HOST.",
        "      -cluster-public-port=PORT Event bus port other nodes reach this one at.",
        "      -options=JSON|FILE        VertxOptions, e.g. {\"eventLoopPoolSize\":4}.",
        "      -deployment-options=JSON|FILE  DeploymentOptions of the verticle (event-loop threading only).",
        "Exit codes: 2 bad command line, 11 Vert.x or the cluster did not start, 15 the verticle did not start.");
  }
}
