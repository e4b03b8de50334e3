package io.tickstream.simulator;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.tickstream.common.logging.Logging;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code tickstream simulator}: runs an {@link ExchangeSimulator} until Ctrl-C.
 * Flags are the {@link SimulatorSettings} keys without the {@code simulator.} prefix ({@code --port 9443}).
 */
public final class ExchangeSimulatorMain {

  private ExchangeSimulatorMain() {
  }

  public static void main(String[] args) throws InterruptedException {
    PrintWriter out = new PrintWriter(System.out, true);
    Optional<Config> parsed;
    try {
      parsed = Config.fromArgs("tickstream simulator", "simulator", Logging.with(SimulatorSettings.ALL), args, System.getenv(), out);
    } catch (ConfigException e) {
      System.err.println("tickstream simulator: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (parsed.isEmpty()) {
      return;
    }
    Logging.apply(parsed.get());
    ExchangeSimulator sim = ExchangeSimulator.create(parsed.get());
    try {
      sim.start().await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("tickstream simulator: cannot start: " + e.getMessage());
      sim.close();
      System.exit(1);
      return;
    }
    Config c = parsed.get();
    Logging.announce(c, "io.tickstream.simulator", out::println, "Exchange simulator listening on " + sim.restUrl()
        + " (REST /api/v3/exchangeInfo, WebSocket /ws, /stream; admin /sim)");
    Logging.announce(c, "io.tickstream.simulator", out::println, c.get(SimulatorSettings.REPLAY_FILE) != null
        ? "Replaying " + c.get(SimulatorSettings.REPLAY_FILE) + " at speed " + c.get(SimulatorSettings.REPLAY_SPEED)
        : "Generating " + c.get(SimulatorSettings.TICK_RATE) + " ticks/s, seed " + c.get(SimulatorSettings.SEED));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        sim.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
      stopped.countDown();
    }, "simulator-shutdown"));
    stopped.await();
  }
}
