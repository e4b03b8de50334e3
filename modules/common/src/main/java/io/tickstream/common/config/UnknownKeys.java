package io.tickstream.common.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the config keys and {@code TICKSTREAM_*} environment variables that a command does not know, and names
 * the closest known one for each.
 *
 * <p>The rule, by namespace (the first segment of a key): a key in a namespace the command has settings in must
 * be one of them; a key in another command's namespace ({@link Config#NAMESPACES}) is ignored, because one file
 * or one shell may serve several commands; a key in no known namespace at all is a mistake (most often a
 * mistyped namespace). {@link Config#RESOLVED} is known to every command.
 *
 * <p>Immutable; built on the thread resolving a configuration.
 */
final class UnknownKeys {

  private static final String ENV_PREFIX = "TICKSTREAM_";

  private final List<Setting<?>> settings;
  /** Namespaces this command has settings in, plus {@code config} for {@link Config#RESOLVED}. */
  private final Set<String> owned = new HashSet<>();
  /** Namespaces of other commands, which this one ignores. */
  private final Set<String> others = new TreeSet<>();

  UnknownKeys(List<Setting<?>> settings) {
    this.settings = settings;
    for (Setting<?> s : settings) {
      owned.add(namespace(s.key()));
    }
    owned.add(namespace(Config.RESOLVED));
    others.addAll(Config.NAMESPACES);
    others.removeAll(owned);
  }

  /**
   * Checks the keys of one JSON config, flattened to dotted keys.
   *
   * @param where how the message names the JSON, e.g. {@code config file app.json}
   */
  void checkJson(String where, Collection<String> keys) throws ConfigException {
    List<String> known = new ArrayList<>();
    for (Setting<?> s : settings) {
      known.add(s.key());
    }
    known.add(Config.RESOLVED);
    List<String> problems = new ArrayList<>();
    for (String key : keys) {
      String ns = namespace(key);
      if (known.contains(key) || others.contains(ns)) {
        continue;
      }
      problems.add("unknown key " + key + suggestion(key, ns, known, false));
    }
    fail(where + ": ", problems);
  }

  /** Checks every variable of {@code env} that starts with {@code TICKSTREAM_}. */
  void checkEnv(Map<String, String> env) throws ConfigException {
    List<String> known = settings.stream().map(Setting::envVar).toList();
    List<String> problems = new ArrayList<>();
    for (String name : new TreeSet<>(env.keySet())) {
      if (!name.startsWith(ENV_PREFIX) || known.contains(name)) {
        continue;
      }
      String rest = name.substring(ENV_PREFIX.length());
      String ns = envNamespace(rest);
      if (ns != null && others.contains(ns)) {
        continue;
      }
      List<String> knownRest = known.stream().map(k -> k.substring(ENV_PREFIX.length())).toList();
      problems.add("unknown environment variable " + name + suggestion(rest, ns, knownRest, true));
    }
    fail("", problems);
  }

  private static void fail(String where, List<String> problems) throws ConfigException {
    if (!problems.isEmpty()) {
      throw new ConfigException(where + String.join("; ", problems));
    }
  }

  /**
   * The namespace of an environment variable's name without {@code TICKSTREAM_}: the longest known namespace it
   * starts with ({@code INGEST_KAFKA_ACKS} is in {@code ingest}), or null.
   */
  private String envNamespace(String rest) {
    String found = null;
    for (Set<String> group : List.of(owned, others)) {
      for (String ns : group) {
        String upper = envForm(ns);
        if ((rest.equals(upper) || rest.startsWith(upper + "_")) && (found == null || ns.length() > found.length())) {
          found = ns;
        }
      }
    }
    return found;
  }

  /**
   * " (did you mean X?)" with the candidate closest to {@code typed} (a key, or a variable's name without
   * {@code TICKSTREAM_}; {@code ns} its namespace, null if none is known), or "" if there is none. A candidate is as
   * close as its whole text, or one more than its text without the namespace, so {@code port} finds
   * {@code fanout.port}. A typed key in no known namespace is also compared with itself moved to each other
   * command's namespace, so {@code fanotu.port} finds {@code fanout.port} even where no fanout setting is declared.
   */
  private String suggestion(String typed, String ns, List<String> known, boolean env) {
    String separator = env ? "_" : ".";
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      String local = candidate.substring(candidate.indexOf(separator) + 1);
      int d = Math.min(distance(typed, candidate), distance(typed, local) + 1);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    boolean inKnownNamespace = ns != null && (owned.contains(ns) || others.contains(ns));
    int dot = typed.indexOf(separator);
    if (!inKnownNamespace && dot > 0) {
      for (String other : others) {
        String candidate = (env ? envForm(other) : other) + typed.substring(dot);
        int d = distance(typed, candidate);
        if (d < bestDistance) {
          best = candidate;
          bestDistance = d;
        }
      }
    }
    return best == null ? "" : " (did you mean " + (env ? ENV_PREFIX : "") + best + "?)";
  }

  private static String namespace(String key) {
    return firstSegment(key, ".");
  }

  private static String firstSegment(String text, String separator) {
    int i = text.indexOf(separator);
    return i < 0 ? text : text.substring(0, i);
  }

  private static String envForm(String namespace) {
    return namespace.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * Damerau-Levenshtein distance (optimal string alignment): insertions, deletions, substitutions and swaps of
   * two neighbours each cost 1, so {@code prot} is 1 from {@code port}.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
