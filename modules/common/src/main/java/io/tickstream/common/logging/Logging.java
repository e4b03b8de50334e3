package io.tickstream.common.logging;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import io.tickstream.common.logging.impl.LogbackReload;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The log settings every tickstream command takes: {@code --log-format=text|json} ({@code TICKSTREAM_LOG_FORMAT})
 * and {@code --verbose} ({@code TICKSTREAM_VERBOSE}).
 *
 * <p>The role jars log through {@code io/tickstream/common/logging/logback-base.xml}: tickstream's own loggers at
 * INFO, third-party libraries at WARN unless verbose, as text for a terminal or as one JSON object per line for a
 * container's log collector. {@link #apply(Config)} hands the resolved values to that file through system
 * properties and reloads it. Why not read them in the XML alone: a flag or a config file must be able to set them
 * too, with the same precedence as every other setting.
 *
 * <p>Call {@link #apply} once from a command's {@code main}, after parsing and before starting anything. It changes
 * nothing when SLF4J is bound to something other than Logback: an application embedding tickstream configures its
 * own logging.
 */
public final class Logging {

  public static final String TEXT = "text";
  public static final String JSON = "json";

  public static final Setting<String> FORMAT = Setting.ofChoice("log-format", TEXT, List.of(TEXT, JSON),
      "Log lines as text for a terminal, or json (one object per line) for container log collectors.");
  public static final Setting<Boolean> VERBOSE = Setting.ofBoolean("verbose", false,
      "Also log third-party libraries' (Kafka, Hazelcast, Netty, Vert.x) INFO lines; by default only their warnings.");

  /** What every command takes besides its own settings. */
  public static final List<Setting<?>> SETTINGS = List.of(FORMAT, VERBOSE);

  /** System properties read by {@code logback-base.xml}. */
  static final String FORMAT_PROPERTY = "tickstream.log.format";
  static final String THIRD_PARTY_PROPERTY = "tickstream.log.third-party";

  private Logging() {
  }

  /** {@code settings} followed by {@link #SETTINGS}, each key once: what a command's {@code Config.fromArgs} takes. */
  public static List<Setting<?>> with(List<? extends Setting<?>> settings) {
    List<Setting<?>> all = new ArrayList<>(settings);
    for (Setting<?> s : SETTINGS) {
      if (all.stream().noneMatch(a -> a.key().equals(s.key()))) {
        all.add(s);
      }
    }
    return List.copyOf(all);
  }

  /**
   * Applies {@link #FORMAT} and {@link #VERBOSE} from {@code config}, which must have been resolved with
   * {@link #SETTINGS}. Reloads Logback's configuration only if they differ from the ones it was loaded with.
   * Call on the main thread before anything else logs much: lines logged while reloading may be lost.
   */
  public static void apply(Config config) {
    String format = config.get(FORMAT);
    String thirdParty = config.get(VERBOSE) ? "INFO" : "WARN";
    boolean changed = !format.equals(System.getProperty(FORMAT_PROPERTY, TEXT))
        || !thirdParty.equals(System.getProperty(THIRD_PARTY_PROPERTY, "WARN"));
    System.setProperty(FORMAT_PROPERTY, format);
    System.setProperty(THIRD_PARTY_PROPERTY, thirdParty);
    if (changed && LogbackReload.isBound(LoggerFactory.getILoggerFactory())) {
      LogbackReload.reload(LoggerFactory.getILoggerFactory());
    }
  }

  /**
   * Prints a command's start-up line ("listening on ...", what it runs where): as is with {@code log-format=text}, for
   * a terminal; as an INFO log line of {@code logger} with {@code log-format=json}, so that a container's output stays
   * one JSON object per line for its log collector ({@code docker logs} of every role).
   */
  public static void announce(Config config, String logger, Consumer<String> out, String line) {
    if (JSON.equals(config.get(FORMAT))) {
      LoggerFactory.getLogger(logger).info(line);
    } else {
      out.accept(line);
    }
  }
}
