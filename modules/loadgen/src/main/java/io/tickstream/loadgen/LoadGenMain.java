package io.tickstream.loadgen;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.tickstream.common.logging.Logging;

import java.io.PrintWriter;
import java.util.Optional;

/**
 * {@code ./tickstream loadgen}: one bounded run, then exit. Exit codes: 0 after a run (whatever it measured),
 * 1 if the run could not be made, 2 for a bad command line or a non-loopback target.
 */
public final class LoadGenMain {

  private LoadGenMain() {
  }

  public static void main(String[] args) {
    Optional<Config> parsed;
    try {
      parsed = Config.fromArgs("tickstream loadgen", "loadgen", Logging.with(LoadGenSettings.ALL), args, System.getenv(),
          new PrintWriter(System.out, true));
    } catch (ConfigException e) {
      System.err.println("tickstream loadgen: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (parsed.isEmpty()) {
      return;
    }
    Logging.apply(parsed.get());
    LoadGenerator generator;
    try {
      generator = new LoadGenerator(parsed.get(), System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("tickstream loadgen: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      LoadReport report = generator.run();
      System.out.print(report.summary());
      System.out.println("  report: " + generator.jsonPath().toAbsolutePath());
      System.exit(0);
    } catch (Exception e) {
      System.err.println("tickstream loadgen: run failed: " + e);
      System.exit(1);
    }
  }

}
