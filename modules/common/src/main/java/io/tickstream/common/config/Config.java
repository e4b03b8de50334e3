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
import java.util.stream.Collectors;

/**
 * Resolved values of a role's {@link Setting}s. Immutable and thread-safe.
 *
 * <p>Precedence, lowest first: the setting's default, JSON config (a base object such as the launcher's
 * {@code -conf}, then the file of {@code --config FILE}; or the object a verticle is deployed with), environment
 * variables ({@code TICKSTREAM_...}), command-line flags. Keys in a file that no setting declares are ignored, so
 * one file can serve several roles; unknown flags are an error, because a mistyped flag silently ignored is a
 * production incident.
 */
public final class Config {

  /**
   * Key of a JSON config that holds every value already resolved ({@link #toResolvedJson()}): {@link #fromJson}
   * takes its values as they are and does not apply the environment a second time.
   */
  public static final String RESOLVED = "config.resolved";

  /** Where a value came from, for start-up logs: an operator should see why a knob has its value. */
  public enum Source { DEFAULT, FILE, ENV, FLAG }

  private final Map<String, Object> values;
  private final Map<String, Source> sources;
  private final List<Setting<?>> settings;

  private Config(List<Setting<?>> settings, Map<String, Object> values, Map<String, Source> sources) {
    this.settings = List.copyOf(settings);
    this.values = values;
    this.sources = sources;
  }

  /** Defaults only: for tests and embedding, then adjust with {@link #with}. */
  public static Config defaults(Collection<? extends Setting<?>> settings) {
    try {
      return resolve(List.copyOf(settings), new JsonObject(), Map.of(), Map.of());
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Resolves from a JSON object (a verticle's {@code config()} or a parsed file) and the environment, which is
   * skipped when {@code json} is marked {@link #RESOLVED}. String values are parsed as flags would be; numbers,
   * booleans and arrays are taken as they are written.
   */
  public static Config fromJson(Collection<? extends Setting<?>> settings, JsonObject json, Map<String, String> env)
      throws ConfigException {
    JsonObject j = json == null ? new JsonObject() : json;
    return resolve(List.copyOf(settings), j, Boolean.TRUE.equals(j.getValue(RESOLVED)) ? Map.of() : env, Map.of());
  }

  /**
   * Parses a role's command line: {@code --config FILE}, {@code --help}, and one flag per setting.
   *
   * @param command    the command name shown in usage, e.g. {@code tickstream simulator}
   * @param rolePrefix settings whose key starts with {@code rolePrefix + "."} also take a flag without it
   * @return the resolved configuration, or empty if usage was printed ({@code --help})
   */
  public static Optional<Config> fromArgs(String command, String rolePrefix, Collection<? extends Setting<?>> settings,
                                          String[] args, Map<String, String> env, PrintWriter out) throws ConfigException {
    return fromArgs(command, rolePrefix, settings, args, null, env, out, null);
  }

  /**
   * Like {@link #fromArgs(String, String, Collection, String[], Map, PrintWriter)}, on top of a {@code base} JSON
   * config that the {@code --config} file, the environment and the flags override, with {@code usageFooter}
   * (if not null) at the end of {@code --help}.
   */
  public static Optional<Config> fromArgs(String command, String rolePrefix, Collection<? extends Setting<?>> settings,
                                          String[] args, JsonObject base, Map<String, String> env, PrintWriter out,
                                          String usageFooter) throws ConfigException {
    List<Setting<?>> list = List.copyOf(settings);
    CommandSpec spec = CommandSpec.create().name(command);
    spec.usageMessage().width(160).autoWidth(false);
    if (usageFooter != null) {
      spec.usageMessage().footer(usageFooter);
    }
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
    spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(String.class)
        .description("JSON config file; environment variables and flags override it.").build());
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
    Map<String, Object> json = new LinkedHashMap<>();
    if (base != null) {
      flatten("", base, json);
    }
    if (parsed.hasMatchedOption("--config")) {
      flatten("", readFile(Path.of(parsed.<String>matchedOptionValue("--config", null))), json);
    }
    Map<String, String> flags = new LinkedHashMap<>();
    for (OptionSpec o : parsed.matchedOptions()) {
      Setting<?> s = byOption.get(o.longestName());
      if (s != null) {
        flags.put(s.key(), o.getValue());
      }
    }
    return Optional.of(resolve(list, new JsonObject(json), env, flags));
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

  private static Config resolve(List<Setting<?>> settings, JsonObject json, Map<String, String> env,
                                Map<String, String> flags) throws ConfigException {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", json, flat);
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, Source> sources = new LinkedHashMap<>();
    for (Setting<?> s : settings) {
      Object value = s.defaultValue();
      Source source = Source.DEFAULT;
      if (flat.containsKey(s.key())) {
        value = fromJsonValue(s, flat.get(s.key()));
        source = Source.FILE;
      }
      String fromEnv = env.get(s.envVar());
      if (fromEnv != null) {
        value = s.parse(fromEnv);
        source = Source.ENV;
      }
      String fromFlag = flags.get(s.key());
      if (fromFlag != null) {
        value = s.parse(fromFlag);
        source = Source.FLAG;
      }
      values.put(s.key(), value);
      sources.put(s.key(), source);
    }
    return new Config(settings, values, sources);
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
    get(setting);
    Map<String, Object> v = new LinkedHashMap<>(values);
    Map<String, Source> src = new LinkedHashMap<>(sources);
    v.put(setting.key(), value);
    src.put(setting.key(), Source.FLAG);
    return new Config(settings, v, src);
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
        .map(s -> s.key() + " = " + (values.get(s.key()) == null ? "unset" : display(values.get(s.key()))) + " (" + sources.get(s.key()).name().toLowerCase() + ")")
        .collect(Collectors.joining("\n"));
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
