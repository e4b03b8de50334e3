package io.tickstream.local;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.tickstream.common.logging.Logging;

import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./tickstream local}: the whole system in one JVM.
 *
 * <pre>
 *   ./tickstream local                       # embedded broker on 127.0.0.1:9092, fanout on 127.0.0.1:8080
 *   ./tickstream local --exchange=simulator  # never ask Binance
 *   ./tickstream local --kafka=10.0.0.5:9092 --fanout.port=8081
 * </pre>
 * Takes {@link LocalStackSettings} plus every fanout, ingest, simulator and cluster setting. Ctrl-C or SIGTERM
 * stops everything cleanly (see {@link LocalStack#stop()}).
 */
public final class LocalStackMain {

  static final String COMMAND = "tickstream local";

  private LocalStackMain() {
  }

  /**
   * Parses {@code args} (flags, {@code --config FILE}, {@code env}) and starts the stack; empty after
   * {@code --help}. Blocking; for {@link #main} and tests.
   */
  public static Optional<LocalStack> start(String[] args, Map<String, String> env, PrintWriter out) throws Exception {
    Optional<Config> config = Config.fromArgs(COMMAND, "local", LocalStackSettings.ALL, args, env, out);
    if (config.isEmpty()) {
      return Optional.empty();
    }
    Logging.apply(config.get());
    LocalStack stack = LocalStack.start(config.get());
    if (config.get().get(Logging.FORMAT).equals(Logging.JSON)) {
      // A log collector reading JSON lines would choke on the plain summary: it becomes one more event.
      LoggerFactory.getLogger(LocalStack.class).info(stack.describe());
    } else {
      out.println(stack.describe());
      out.flush();
    }
    return Optional.of(stack);
  }

  public static void main(String[] args) throws Exception {
    PrintWriter out = new PrintWriter(System.out, true);
    Optional<LocalStack> stack;
    try {
      stack = start(args, System.getenv(), out);
    } catch (ConfigException e) {
      System.err.println(COMMAND + ": " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      System.err.println(COMMAND + ": start failed: " + e + (isBindFailure(e) ? "\n  a port it needs is taken: another "
          + "tickstream may be running; move this one with --fanout.port, --fanout.admin-port, --kafka-port, "
          + "--simulator.port, --ingest.admin-port and --cluster.port (see --print-config for the ports in use)" : ""));
      System.exit(1);
      return;
    }
    if (stack.isEmpty()) {
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("Stopping: fanout drains, ingest flushes, broker closes ...");
      stack.get().stop();
      stopped.countDown();
    }, "tickstream-local-shutdown"));
    stopped.await();
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return true;
      }
    }
    return false;
  }
}
