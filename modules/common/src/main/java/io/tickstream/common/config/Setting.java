package io.tickstream.common.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One configuration knob: a dotted key, a type, a default and a description.
 *
 * <p>A key such as {@code simulator.tick-rate} is set, from lowest to highest precedence, by
 * <ol>
 *   <li>its default;</li>
 *   <li>a JSON config file ({@code {"simulator.tick-rate": 500}} or nested {@code {"simulator":{"tick-rate":500}}});</li>
 *   <li>the environment variable {@code TICKSTREAM_SIMULATOR_TICK_RATE};</li>
 *   <li>the flag {@code --simulator.tick-rate=500}, or {@code --tick-rate=500} in the CLI of the role that
 *       owns the {@code simulator.} prefix.</li>
 * </ol>
 * Instances are immutable; declare them as constants next to the code that reads them.
 *
 * @param <T> the value type
 */
public final class Setting<T> {

  private final String key;
  private final Class<T> type;
  private final T defaultValue;
  private final String description;
  private final Parser<T> parser;
  private final boolean secret;

  private Setting(String key, Class<T> type, T defaultValue, String description, Parser<T> parser) {
    this(key, type, defaultValue, description, parser, false);
  }

  private Setting(String key, Class<T> type, T defaultValue, String description, Parser<T> parser, boolean secret) {
    if (!key.matches("[a-z0-9]+([.-][a-z0-9]+)*")) {
      throw new IllegalArgumentException("setting key must be dotted kebab-case: " + key);
    }
    this.key = key;
    this.type = type;
    this.defaultValue = defaultValue;
    this.description = Objects.requireNonNull(description);
    this.parser = parser;
    this.secret = secret;
  }

  public static Setting<Integer> ofInt(String key, int defaultValue, int min, int max, String description) {
    return new Setting<>(key, Integer.class, defaultValue, description, text -> {
      long v = Long.parseLong(text.trim());
      if (v < min || v > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max);
      }
      return (int) v;
    });
  }

  public static Setting<Long> ofLong(String key, long defaultValue, long min, long max, String description) {
    return new Setting<>(key, Long.class, defaultValue, description, text -> {
      long v = Long.parseLong(text.trim());
      if (v < min || v > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max);
      }
      return v;
    });
  }

  /** A decimal number such as {@code 1} or {@code 0.5}; NaN and infinities are refused. */
  public static Setting<Double> ofDouble(String key, double defaultValue, double min, double max, String description) {
    return new Setting<>(key, Double.class, defaultValue, description, text -> {
      double v = Double.parseDouble(text.trim());
      if (!(v >= min && v <= max)) {
        throw new IllegalArgumentException("must be between " + plain(min) + " and " + plain(max));
      }
      return v;
    });
  }

  public static Setting<Boolean> ofBoolean(String key, boolean defaultValue, String description) {
    return new Setting<>(key, Boolean.class, defaultValue, description, text -> switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException("must be true or false");
    });
  }

  /** A string; {@code null} default means "unset". */
  public static Setting<String> ofString(String key, String defaultValue, String description) {
    return new Setting<>(key, String.class, defaultValue, description, String::trim);
  }

  /**
   * A string that must never be shown: a password or a token. {@link Config#describe()} and {@code --print-config}
   * print {@value Config#MASK} in its place (and whether it is set); only {@link Config#get} gives the value.
   * Unset by default.
   */
  public static Setting<String> ofSecret(String key, String description) {
    return new Setting<>(key, String.class, null, description, String::trim, true);
  }

  /** A duration written {@code 250ms}, {@code 20s}, {@code 5m}, {@code 24h} or an ISO-8601 {@code PT20S}. */
  public static Setting<Duration> ofDuration(String key, Duration defaultValue, String description) {
    return new Setting<>(key, Duration.class, defaultValue, description, Setting::parseDuration);
  }

  /** A comma-separated list of strings. */
  @SuppressWarnings("unchecked")
  public static Setting<List<String>> ofList(String key, List<String> defaultValue, String description) {
    return new Setting<>(key, (Class<List<String>>) (Class<?>) List.class, List.copyOf(defaultValue), description,
        text -> text.isBlank() ? List.of() : Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
  }

  /** One of {@code values} (compared case-insensitively, stored lower case). */
  public static Setting<String> ofChoice(String key, String defaultValue, List<String> values, String description) {
    return new Setting<>(key, String.class, defaultValue, description + " One of: " + String.join(", ", values) + ".", text -> {
      String v = text.trim().toLowerCase(Locale.ROOT);
      if (!values.contains(v)) {
        throw new IllegalArgumentException("must be one of " + String.join(", ", values));
      }
      return v;
    });
  }

  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("pt") || t.startsWith("p")) {
      return Duration.parse(t.toUpperCase(Locale.ROOT));
    }
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("must be a duration such as 250ms, 20s, 5m or 24h");
    }
    long n = Long.parseLong(t.substring(0, i));
    return switch (t.substring(i).trim()) {
      case "ms" -> Duration.ofMillis(n);
      case "s", "" -> Duration.ofSeconds(n);
      case "m", "min" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> throw new IllegalArgumentException("must be a duration such as 250ms, 20s, 5m or 24h");
    };
  }

  /** Parses {@code text} (from a flag, an environment variable or a JSON string). */
  public T parse(String text) throws ConfigException {
    try {
      return parser.parse(text);
    } catch (RuntimeException e) {
      String why = e instanceof NumberFormatException ? "must be a number" : e.getMessage();
      throw new ConfigException(key + ": '" + text + "' " + why);
    }
  }

  public String key() {
    return key;
  }

  public Class<T> type() {
    return type;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** Whether the value is a secret that logs and {@code --print-config} must mask (see {@link #ofSecret}). */
  public boolean secret() {
    return secret;
  }

  /** The environment variable that sets this key: {@code TICKSTREAM_} and the key upper-cased, {@code .-} as {@code _}. */
  public String envVar() {
    return "TICKSTREAM_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The default as it would be written in a flag. */
  public String defaultText() {
    if (defaultValue == null) {
      return "";
    }
    if (defaultValue instanceof Duration d) {
      return formatDuration(d);
    }
    if (defaultValue instanceof Double d) {
      return plain(d);
    }
    if (defaultValue instanceof List<?> l) {
      return String.join(",", l.stream().map(String::valueOf).toList());
    }
    return String.valueOf(defaultValue);
  }

  /** {@code 1} rather than {@code 1.0}, {@code 0.5} as it is: a double as a person would write it in a flag. */
  static String plain(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  @Override
  public String toString() {
    return key;
  }

  @FunctionalInterface
  private interface Parser<T> {
    T parse(String text);
  }
}
