package io.tickstream.simulator;

import io.tickstream.common.config.Setting;

import java.time.Duration;
import java.util.List;

/**
 * Every knob of the exchange simulator, in one place. Defaults are Binance's where Binance has a rule
 * ({@code binance-market-streams.md}); tests shrink them.
 *
 * <p>Constants only; resolve them with {@link io.tickstream.common.config.Config} ({@code --tick-rate=500},
 * {@code TICKSTREAM_SIMULATOR_TICK_RATE=500} or a JSON file).
 */
public final class SimulatorSettings {

  public static final Setting<String> HOST = Setting.ofString("simulator.host", "127.0.0.1",
      "Interface to listen on.");
  public static final Setting<Integer> PORT = Setting.ofInt("simulator.port", 9443, 0, 65535,
      "Port for REST, WebSocket and the /sim admin API; 0 picks a free port.");
  public static final Setting<Long> SEED = Setting.ofLong("simulator.seed", 42, Long.MIN_VALUE, Long.MAX_VALUE,
      "Seed of the symbol universe, the prices and the schedule: the same seed gives the same ticks.");
  public static final Setting<Integer> UNIVERSE_SIZE = Setting.ofInt("simulator.universe-size", 2000, 1, 100_000,
      "Number of generated symbols in exchangeInfo (ignored when simulator.symbols is set).");
  public static final Setting<List<String>> SYMBOLS = Setting.ofList("simulator.symbols", List.of(),
      "Fixed symbol list (all TRADING) instead of a generated universe, e.g. BTCUSDT,ETHUSDT.");
  public static final Setting<Integer> NON_TRADING_PERCENT = Setting.ofInt("simulator.non-trading-percent", 3, 0, 100,
      "Share of generated symbols listed as HALT, BREAK or END_OF_DAY (they never tick).");
  public static final Setting<Long> TICK_RATE = Setting.ofLong("simulator.tick-rate", 1000, 0, 10_000_000,
      "Book-ticker updates per second across all TRADING symbols (Zipf-skewed); changeable at runtime.");
  public static final Setting<Duration> TICK_INTERVAL = Setting.ofDuration("simulator.tick-interval", Duration.ofMillis(10),
      "Period of the generator timer; each firing emits rate x elapsed ticks and flushes every connection once.");
  public static final Setting<Duration> PING_INTERVAL = Setting.ofDuration("simulator.ping-interval", Duration.ofSeconds(20),
      "Server ping period per connection.");
  public static final Setting<Duration> PONG_TIMEOUT = Setting.ofDuration("simulator.pong-timeout", Duration.ofSeconds(60),
      "Close a connection that has not echoed a ping for this long.");
  public static final Setting<Duration> MAX_LIFETIME = Setting.ofDuration("simulator.max-lifetime", Duration.ofHours(24),
      "Close every connection after this long; changeable at runtime (applies to open connections too).");
  public static final Setting<Integer> MAX_STREAMS = Setting.ofInt("simulator.max-streams", 1024, 1, 1_000_000,
      "Streams per connection.");
  public static final Setting<Integer> MAX_MESSAGES_PER_SECOND = Setting.ofInt("simulator.max-messages-per-second", 5, 1, 1_000_000,
      "Incoming frames (text, binary, ping, pong) per connection in any one-second window; one more closes with 1008.");
  public static final Setting<Integer> MAX_CONNECT_ATTEMPTS = Setting.ofInt("simulator.max-connect-attempts", 300, 1, 10_000_000,
      "WebSocket upgrade attempts per IP per window; more are answered 429 with Retry-After.");
  public static final Setting<Duration> CONNECT_ATTEMPT_WINDOW = Setting.ofDuration("simulator.connect-attempt-window", Duration.ofMinutes(5),
      "Window of simulator.max-connect-attempts.");
  public static final Setting<Duration> SHUTDOWN_CLOSE_DELAY = Setting.ofDuration("simulator.shutdown-close-delay", null,
      "After a serverShutdown event, close connections after this delay; unset keeps them open.");
  public static final Setting<Long> MAX_PENDING_BYTES = Setting.ofLong("simulator.max-pending-bytes", 64L << 20, 1024, Long.MAX_VALUE,
      "A connection whose unsent bytes exceed this is closed with 1008 (the client cannot keep up).");
  public static final Setting<Boolean> REFUSE_CONNECTIONS = Setting.ofBoolean("simulator.refuse-connections", false,
      "Fault: answer every WebSocket upgrade with 503 (toggle at runtime under /sim/faults).");
  public static final Setting<String> REPLAY_FILE = Setting.ofString("simulator.replay-file", null,
      "Capture file to play back instead of generated ticks (format: see README, CaptureFormat).");
  public static final Setting<String> REPLAY_SPEED = Setting.ofString("simulator.replay-speed", "1.0",
      "Replay speed: 1.0 = as recorded, 2.0 = twice as fast, 0 = as fast as possible.");
  public static final Setting<Boolean> REPLAY_LOOP = Setting.ofBoolean("simulator.replay-loop", false,
      "Start the capture again when it ends.");

  /** All settings, in the order {@code --help} and the README list them. */
  public static final List<Setting<?>> ALL = List.of(HOST, PORT, SEED, UNIVERSE_SIZE, SYMBOLS, NON_TRADING_PERCENT,
      TICK_RATE, TICK_INTERVAL, PING_INTERVAL, PONG_TIMEOUT, MAX_LIFETIME, MAX_STREAMS, MAX_MESSAGES_PER_SECOND,
      MAX_CONNECT_ATTEMPTS, CONNECT_ATTEMPT_WINDOW, SHUTDOWN_CLOSE_DELAY, MAX_PENDING_BYTES, REFUSE_CONNECTIONS,
      REPLAY_FILE, REPLAY_SPEED, REPLAY_LOOP);

  private SimulatorSettings() {
  }
}
