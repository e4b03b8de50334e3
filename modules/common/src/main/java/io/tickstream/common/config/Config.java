package io.tickstream.common.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resolved values of a role's {@link Setting}s. Immutable and thread-safe.
 *
 * <p>Precedence, lowest first: the setting's default, JSON config (a base object such as the launcher's
 * {@code -conf}, then the file of {@code --config FILE}; or the object a verticle is deployed with), environment
 * variables ({@code TICKSTREAM_...}), command-line flags. A mistyped knob silently ignored is a production incident,
 * so unknown flags are an error, and so are unknown keys and {@code TICKSTREAM_*} variables, each named with the
 * closest known one, with one exception that lets one file or one shell serve several commands: keys and variables
 * in another command's namespace (the first segment of a key, see {@link #NAMESPACES}) are ignored.
 */
public final class Config {

  /**
   * Key of a JSON config that holds every value already resolved ({@link #toResolvedJson()}): {@link #fromJson}
   * takes its values as they are and does not apply the environment a second time.
   */
  public static final String RESOLVED = "config.resolved";

  /**
   * Every namespace (first key segment) of tickstream's settings and {@code TICKSTREAM_*} variables, across all
   * commands. A command checks the keys and variables in the namespaces it has settings in, ignores those in the
   * other namespaces listed here (they are another command's), and refuses those in a namespace that is not listed,
   * most often a typo. A new command, or a variable that is not a setting, adds its namespace here:
   * {@code test} is {@code TICKSTREAM_TEST_KAFKA} of the Kafka test extension; {@code log-format} and {@code verbose}
   * are the logging settings ({@code io.tickstream.common.logging.Logging}), which verticles deployed from JSON lack.
   */
  public static final Set<String> NAMESPACES = Set.of("cluster", "fanout", "ingest", "kafka", "loadgen", "local",
      "log-format", "simulator", "test", "topic", "verbose");

  /** What {@link #describe()} and {@code --print-config} show instead of a {@link Setting#secret() secret} that is set. */
  public static final String MASK = "********";

  /** The option that prints every value with its origin and exits, like {@code --help}. */
  public static final String PRINT_CONFIG = "--print-config";

  /**
   * Widest value column of {@link #describeSources()}: longer values (member lists) push their own origin right
   * rather than every line's.
   */
  private static final int MAX_VALUE_COLUMN = 30;

  /** Where a value came from, for start-up logs: an operator should see why a knob has its value. */
  public enum Source { DEFAULT, FILE, ENV, FLAG }

  private final Map<String, Object> values;
  private final Map<String, Source> sources;
  /** Where each value came from, in words: {@code default}, {@code file app.json}, {@code env TICKSTREAM_...}. */
  private final Map<String, String> origins;
  private final List<Setting<?>> settings;

  private Config(List<Setting<?>> settings, Map<String, Object> values, Map<String, Source> sources,
                 Map<String, String> origins) {
    this.settings = List.copyOf(settings);
    this.values = values;
    this.sources = sources;
    this.origins = origins;
  }

  /**
   * Options of a launcher whose command line tickstream's flags share (the Vert.x launcher's of the ingest and
   * fanout processes). Called on the thread parsing the command line.
   */
  public interface Launcher {

    /** A JSON config under the {@code --config} file (the launcher's {@code -conf}), or null. */
    JsonObject conf();

    /** How messages and {@code --print-config} name {@link #conf()}, e.g. {@code launcher -conf}. */
    String confName();

    /** Text for the end of {@code --help}, or null. */
    String usageFooter();

    /**
     * Applies the launcher options that stand for settings to {@code resolved}, as flags would be, and checks the
     * rest; called before {@code --print-config} prints, so it prints what would run.
     */
    Config apply(Config resolved) throws ConfigException;
  }

  /** Defaults only: for tests and embedding, then adjust with {@link #with}. */
  public static Config defaults(Collection<? extends Setting<?>> settings) {
    try {
      return resolve(List.copyOf(settings), Map.of(), Map.of(), Map.of(), Map.of());
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Resolves from a JSON object (a verticle's {@code config()} or a parsed file) and the environment. String values
   * are parsed as flags would be; numbers, booleans and arrays are taken as they are written. Unknown keys and
   * variables are refused as in {@link #fromArgs}, so that the union config of several verticles deploys each.
   *
   * <p>A {@code json} marked {@link #RESOLVED} is taken as it is: the environment is not applied a second time, and
   * its keys are not checked, because {@link #toResolvedJson()} wrote them from settings already checked (and may
   * hold more of them than this verticle reads).
   */
  public static Config fromJson(Collection<? extends Setting<?>> settings, JsonObject json, Map<String, String> env)
      throws ConfigException {
    List<Setting<?>> list = List.copyOf(settings);
    JsonObject j = json == null ? new JsonObject() : json;
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", j, flat);
    Map<String, String> origins = new LinkedHashMap<>();
    if (Boolean.TRUE.equals(j.getValue(RESOLVED))) {
      flat.keySet().forEach(k -> origins.put(k, "resolved config"));
      return resolve(list, flat, origins, Map.of(), Map.of());
    }
    UnknownKeys check = new UnknownKeys(list);
    check.checkJson("verticle config", flat.keySet());
    check.checkEnv(env);
    flat.keySet().forEach(k -> origins.put(k, "verticle config"));
    return resolve(list, flat, origins, env, Map.of());
  }

  /**
   * Parses a command line: {@code --config FILE}, {@code --help}, {@code --print-config}, and one flag per setting.
   * Blocking (it reads the file); call it on the thread running {@code main}.
   *
   * <p>{@code --help} prints the usage to {@code out}; {@code --print-config} prints {@link #describeSources()},
   * after every check, so a configuration can be tried without starting anything.
   *
   * @param command    the command name shown in usage, e.g. {@code tickstream simulator}
   * @param rolePrefix settings whose key starts with {@code rolePrefix + "."} also take a flag without it
   * @return the resolved configuration, or empty if the usage or the configuration was printed: exit with 0
   * @throws ConfigException for an unknown flag, key or {@code TICKSTREAM_*} variable, an unreadable file or a bad
   *                         value, with a one-line message
   */
  public static Optional<Config> fromArgs(String command, String rolePrefix, Collection<? extends Setting<?>> settings,
                                          String[] args, Map<String, String> env, PrintWriter out) throws ConfigException {
    return fromArgs(command, rolePrefix, settings, args, env, out, null);
  }

  /**
   * Like {@link #fromArgs(String, String, Collection, String[], Map, PrintWriter)} for a command line that also
   * carries a {@code launcher}'s options (may be null).
   */
  public static Optional<Config> fromArgs(String command, String rolePrefix, Collection<? extends Setting<?>> settings,
                                          String[] args, Map<String, String> env, PrintWriter out, Launcher launcher)
      throws ConfigException {
    List<Setting<?>> list = List.copyOf(settings);
    String usageFooter = launcher == null ? null : launcher.usageFooter();
    CommandSpec spec = CommandSpec.create().name(command);
    spec.usageMessage().width(160).autoWidth(false);
    if (usageFooter != null) {
      spec.usageMessage().footer(usageFooter);
    }
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
    spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(String.class)
        .description("JSON config file; environment variables and flags override it.").build());
    spec.addOption(OptionSpec.builder(PRINT_CONFIG).arity("0")
        .description("Print every setting's value and where it came from, then exit without starting.").build());
    Map<String, Setting<?>> byOption = new LinkedHashMap<>();
    for (Setting<?> s : list) {
      String own = rolePrefix + ".";
      String[] names = s.key().startsWith(own)
          ? new String[]{"--" + s.key().substring(own.length()), "--" + s.key()}
          : new String[]{"--" + s.key()};
      OptionSpec.Builder b = OptionSpec.builder(names).type(String.class).paramLabel(label(s))
          .description(s.description() + " (default: " + (s.defaultText().isEmpty() ? "unset" : s.defaultText())
              + "; env " + s.envVar() + ")");
      if (s.type() == Boolean.class) {
        b.arity("0..1").fallbackValue("true");
      }
      OptionSpec option = b.build();
      spec.addOption(option);
      byOption.put(option.longestName(), s);
    }
    // Values of their own may start with '@' (the load generator's --symbol-list @FILE): picocli must not read
    // them as argument files.
    CommandLine cl = new CommandLine(spec).setExpandAtFiles(false);
    ParseResult parsed;
    try {
      parsed = cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new ConfigException(e.getMessage() + " (see --help)");
    }
    if (cl.isUsageHelpRequested()) {
      cl.usage(out);
      out.flush();
      return Optional.empty();
    }
    UnknownKeys check = new UnknownKeys(list);
    Map<String, Object> json = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    if (launcher != null && launcher.conf() != null) {
      layer(check, launcher.confName(), launcher.confName(), launcher.conf(), json, origins);
    }
    if (parsed.hasMatchedOption("--config")) {
      Path file = Path.of(parsed.<String>matchedOptionValue("--config", null));
      layer(check, "config file " + file, "file " + file, readFile(file), json, origins);
    }
    check.checkEnv(env);
    Map<String, String> flags = new LinkedHashMap<>();
    for (OptionSpec o : parsed.matchedOptions()) {
      Setting<?> s = byOption.get(o.longestName());
      if (s != null) {
        flags.put(s.key(), o.getValue());
      }
    }
    Config config = resolve(list, json, origins, env, flags);
    if (launcher != null) {
      config = launcher.apply(config);
    }
    if (parsed.hasMatchedOption(PRINT_CONFIG)) {
      out.println(config.describeSources());
      out.flush();
      return Optional.empty();
    }
    return Optional.of(config);
  }

  /** Checks {@code layer}, named {@code name} in messages, and adds it over {@code json}, its keys from {@code origin}. */
  private static void layer(UnknownKeys check, String name, String origin, JsonObject layer, Map<String, Object> json,
                            Map<String, String> origins) throws ConfigException {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", layer, flat);
    check.checkJson(name, flat.keySet());
    json.putAll(flat);
    flat.keySet().forEach(k -> origins.put(k, origin));
  }

  /** Reads a JSON config file. */
  public static JsonObject readFile(Path path) throws ConfigException {
    try {
      return new JsonObject(Files.readString(path));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage(), e);
    } catch (DecodeException e) {
      throw new ConfigException("config file " + path + " is not a JSON object: " + e.getMessage(), e);
    }
  }

  private static String label(Setting<?> s) {
    Class<?> t = s.type();
    if (t == Integer.class || t == Long.class || t == Double.class) {
      return "N";
    }
    if (t == Boolean.class) {
      return "BOOL";
    }
    if (t == java.time.Duration.class) {
      return "DURATION";
    }
    if (t == List.class) {
      return "A,B";
    }
    return "VALUE";
  }

  /**
   * @param flat        flattened JSON config
   * @param jsonOrigins where each key of {@code flat} came from, in words
   */
  private static Config resolve(List<Setting<?>> settings, Map<String, Object> flat, Map<String, String> jsonOrigins,
                                Map<String, String> env, Map<String, String> flags) throws ConfigException {
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, Source> sources = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    for (Setting<?> s : settings) {
      Object value = s.defaultValue();
      Source source = Source.DEFAULT;
      String origin = "default";
      if (flat.containsKey(s.key())) {
        value = fromJsonValue(s, flat.get(s.key()));
        source = Source.FILE;
        origin = jsonOrigins.get(s.key());
      }
      String fromEnv = env.get(s.envVar());
      if (fromEnv != null) {
        value = s.parse(fromEnv);
        source = Source.ENV;
        origin = "env " + s.envVar();
      }
      String fromFlag = flags.get(s.key());
      if (fromFlag != null) {
        value = s.parse(fromFlag);
        source = Source.FLAG;
        origin = "flag --" + s.key();
      }
      values.put(s.key(), value);
      sources.put(s.key(), source);
      origins.put(s.key(), origin);
    }
    return new Config(settings, values, sources, origins);
  }

  private static void flatten(String prefix, JsonObject json, Map<String, Object> out) {
    for (Map.Entry<String, Object> e : json) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof JsonObject nested) {
        flatten(key + ".", nested, out);
      } else if (e.getValue() instanceof Map<?, ?> map) {
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) map;
        flatten(key + ".", new JsonObject(m), out);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  private static Object fromJsonValue(Setting<?> s, Object v) throws ConfigException {
    if (v == null) {
      return s.defaultValue();
    }
    if (v instanceof JsonArray a) {
      return s.parse(a.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
    if (v instanceof List<?> l) {
      return s.parse(l.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
    return s.parse(String.valueOf(v));
  }

  /** The value of {@code setting}, which must be one this configuration was resolved for. */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    if (!values.containsKey(setting.key())) {
      throw new IllegalArgumentException("setting " + setting.key() + " is not part of this configuration");
    }
    return (T) values.get(setting.key());
  }

  /** Where the value of {@code setting} came from. */
  public Source sourceOf(Setting<?> setting) {
    return sources.get(setting.key());
  }

  /** A copy with {@code setting} set to {@code value}, as if by a flag. */
  public <T> Config with(Setting<T> setting, T value) {
    return with(setting, value, "set by the command");
  }

  /**
   * A copy with {@code setting} set to {@code value}, as if by a flag; {@link #describeSources()} shows
   * {@code origin}, e.g. {@code flag -cluster-host}.
   */
  public <T> Config with(Setting<T> setting, T value, String origin) {
    get(setting);
    Map<String, Object> v = new LinkedHashMap<>(values);
    Map<String, Source> src = new LinkedHashMap<>(sources);
    Map<String, String> o = new LinkedHashMap<>(origins);
    v.put(setting.key(), value);
    src.put(setting.key(), Source.FLAG);
    o.put(setting.key(), origin);
    return new Config(settings, v, src, o);
  }

  /**
   * The values as a flat JSON object, in the form a config file or a verticle's {@code config()} takes,
   * so a resolved configuration can be handed to a deployment.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    for (Setting<?> s : settings) {
      Object v = values.get(s.key());
      if (v == null) {
        continue;
      }
      if (v instanceof java.time.Duration d) {
        json.put(s.key(), Setting.formatDuration(d));
      } else if (v instanceof List<?> l) {
        json.put(s.key(), new JsonArray(List.copyOf(l)));
      } else {
        json.put(s.key(), v);
      }
    }
    return json;
  }

  /**
   * {@link #toJson()} marked {@link #RESOLVED}: deploying a verticle with it gives the verticle exactly these
   * values, because the environment, already applied here below the flags, is not applied again over them.
   */
  public JsonObject toResolvedJson() {
    return toJson().put(RESOLVED, true);
  }

  /** One line per setting, {@code key = value (source)}, for start-up logs. */
  public String describe() {
    return settings.stream()
        .map(s -> s.key() + " = " + (values.get(s.key()) == null ? "unset" : s.secret() ? MASK : display(values.get(s.key()))) + " (" + sources.get(s.key()).name().toLowerCase() + ")")
        .collect(Collectors.joining("\n"));
  }

  /**
   * What {@code --print-config} prints: one line per setting, in columns, with its value as a flag would give it
   * and where that came from: {@code default}, {@code file PATH}, {@code -conf}, {@code env TICKSTREAM_...},
   * {@code flag --key} (or the launcher option that stands for it).
   * <pre>
   * fanout.port              8081                      flag --fanout.port
   * kafka.bootstrap-servers  10.0.0.5:9092             env TICKSTREAM_KAFKA_BOOTSTRAP_SERVERS
   * topic.partitions         24                        file conf.json
   * </pre>
   */
  public String describeSources() {
    int keyWidth = settings.stream().mapToInt(s -> s.key().length()).max().orElse(0);
    int valueWidth = settings.stream().mapToInt(s -> flagText(s).length()).filter(n -> n <= MAX_VALUE_COLUMN).max()
        .orElse(0);
    StringBuilder sb = new StringBuilder();
    for (Setting<?> s : settings) {
      if (!sb.isEmpty()) {
        sb.append('\n');
      }
      sb.append(pad(s.key(), keyWidth)).append("  ").append(pad(flagText(s), valueWidth)).append("  ")
          .append(origins.get(s.key()));
    }
    return sb.toString();
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text : text + " ".repeat(width - text.length());
  }

  /** The value as a flag would give it: lists comma-separated, durations as {@code 20s}; unset if none. */
  private String flagText(Setting<?> s) {
    Object v = values.get(s.key());
    if (v == null || (v instanceof List<?> l && l.isEmpty())) {
      return "unset";
    }
    if (s.secret()) {
      return MASK;
    }
    if (v instanceof List<?> l) {
      return l.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    if (v instanceof Double d) {
      return Setting.plain(d);
    }
    return display(v);
  }

  private static String display(Object v) {
    return v instanceof java.time.Duration d ? Setting.formatDuration(d) : String.valueOf(v);
  }

  /** A Markdown table of {@code settings}: key, flag, environment variable, default, description. */
  public static String markdownTable(Collection<? extends Setting<?>> settings) {
    StringBuilder sb = new StringBuilder("| key | environment variable | default | description |\n|---|---|---|---|\n");
    for (Setting<?> s : settings) {
      sb.append("| `").append(s.key()).append("` | `").append(s.envVar()).append("` | ")
          .append(s.defaultText().isEmpty() ? "unset" : "`" + s.defaultText() + "`").append(" | ")
          .append(s.description().replace("|", "\\|")).append(" |\n");
    }
    return sb.toString();
  }
}
