package io.tickstream.loadgen;

import io.tickstream.common.config.Setting;

import java.time.Duration;
import java.util.List;

/** Every knob of {@code ./tickstream loadgen}; documented in {@code docs/configuration.md}. */
public final class LoadGenSettings {

  private LoadGenSettings() {
  }

  public static final String DEFAULT_URL = "ws://127.0.0.1:8080";
  public static final int DEFAULT_CONNECTIONS = 100;
  public static final int MAX_CONNECTIONS = 1_000_000;
  public static final int DEFAULT_SYMBOLS = 5;
  public static final int DEFAULT_RAMP_RATE = 1000;
  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(20);
  public static final Duration MAX_DURATION = Duration.ofHours(24);
  public static final Duration DEFAULT_PROBE_TIME = Duration.ofSeconds(1);
  public static final int DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(5);

  public static final Setting<String> URL = Setting.ofString("loadgen.url", DEFAULT_URL,
      "Node to load, ws://host:port; the host must be a loopback address (127.0.0.0/8 or ::1) or a private one (10.0.0.0/8, "
      + "172.16.0.0/12, 192.168.0.0/16, fc00::/7: a node reached through a network namespace or a container network).");
  public static final Setting<Integer> CONNECTIONS = Setting.ofInt("loadgen.connections", DEFAULT_CONNECTIONS, 1,
      MAX_CONNECTIONS, "WebSocket connections to open; one process holds a little under 20,000 (open-files limit).");
  public static final Setting<Integer> SYMBOLS = Setting.ofInt("loadgen.symbols", DEFAULT_SYMBOLS, 1, 1024,
      "Symbols each connection subscribes to, taken in turn from the symbol list so connections spread over it.");
  public static final Setting<Boolean> ALL_SYMBOLS = Setting.ofBoolean("loadgen.all-symbols", false,
      "Each connection subscribes to !bookTicker (every symbol, one stream) instead of --symbols symbols; the symbol list (or the probe) is then the set of symbols it tells apart, 8 bytes each per connection.");
  public static final Setting<String> MODE = Setting.ofChoice("loadgen.mode", "raw", List.of("raw", "combined", "sockjs", "sockjs-xhr"),
      "How connections subscribe: raw /ws/a@bookTicker/b@bookTicker, combined /stream?streams=a/b, or SUBSCRIBE over SockJS's "
      + "websocket transport (sockjs) or its xhr-streaming transport (sockjs-xhr: a streaming HTTP response, sends by POST).");
  public static final Setting<List<String>> SYMBOL_LIST = Setting.ofList("loadgen.symbol-list", List.of(),
      "Symbols to subscribe to (comma list, or @FILE with one per line or comma-separated); empty: ask the node through a /stream?streams=!bookTicker probe.");
  public static final Setting<Duration> PROBE_TIME = Setting.ofDuration("loadgen.probe-time", DEFAULT_PROBE_TIME,
      "How long the !bookTicker probe listens to learn the node's symbols.");
  public static final Setting<Integer> RAMP_RATE = Setting.ofInt("loadgen.ramp-rate", DEFAULT_RAMP_RATE, 1, 1_000_000,
      "New connections per second while ramping up.");
  public static final Setting<Duration> DURATION = Setting.ofDuration("loadgen.duration", DEFAULT_DURATION,
      "Length of the run from the first connection, ramp included (at most 24h); then every connection is closed and the process exits.");
  public static final Setting<Duration> SETTLE = Setting.ofDuration("loadgen.settle", DEFAULT_SETTLE,
      "After the ramp (every connection opened or failed), how long to wait before the steady state starts: the steady latency and msgs/s of the summary and JSON cover only what follows; 0s starts it at once.");
  public static final Setting<List<String>> SOURCE_ADDRESSES = Setting.ofList("loadgen.source-addresses", List.of(),
      "Local addresses to connect from, spread round-robin to pass the ~28k ephemeral ports per source address: a range 127.0.0.1-127.0.0.50, a list, or a count N (127.0.0.1 up); empty: the OS picks.");
  public static final Setting<Integer> CONNECT_TIMEOUT = Setting.ofInt("loadgen.connect-timeout-ms", DEFAULT_CONNECT_TIMEOUT_MS,
      1, 600_000, "Connect and upgrade timeout per connection, in milliseconds.");
  public static final Setting<Integer> EVENT_LOOPS = Setting.ofInt("loadgen.event-loops", 0, 0, 256,
      "Event loops (each with its own recorder); 0 means Vert.x's default of twice the cores.");
  public static final Setting<Double> STALLED_PERCENT = Setting.ofDouble("loadgen.stalled-percent", 0, 0, 100,
      "Share of connections, spread evenly (1 is every 100th), that stop reading after their first tick, so TCP backpressure reaches the node; reported apart from the healthy ones, never in their latency.");
  public static final Setting<String> JSON_OUT = Setting.ofString("loadgen.json-out", null,
      "File for the JSON report; unset: loadgen-yyyyMMdd-HHmmss.json in the working directory.");

  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
  public static final Setting<Duration> WINDOW = Setting.ofDuration("loadgen.window", DEFAULT_WINDOW,
      "The run is also reported in windows this long (a line each and \"windows\" in the JSON): the age of the ticks "
      + "received (now - pt: p50, p99, max) and, with loadgen.view-age, of the client's view. 0 turns them off.");
  public static final Setting<Boolean> VIEW_AGE = Setting.ofBoolean("loadgen.view-age", false,
      "Every 200 ms, samples each connection's view of each symbol it has received: now - pt of the newest tick it holds "
      + "(how old what a client shows is, which a link that cannot carry every tick makes grow). One sample per symbol "
      + "per connection per period: meant for a few connections (a slow link), not for thousands.");
  public static final List<Setting<?>> ALL = List.of(URL, CONNECTIONS, SYMBOLS, ALL_SYMBOLS, MODE, SYMBOL_LIST, PROBE_TIME, RAMP_RATE,
      DURATION, SETTLE, SOURCE_ADDRESSES, CONNECT_TIMEOUT, EVENT_LOOPS, STALLED_PERCENT, JSON_OUT, WINDOW, VIEW_AGE);
}
