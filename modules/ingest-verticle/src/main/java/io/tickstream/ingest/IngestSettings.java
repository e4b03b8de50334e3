package io.tickstream.ingest;

import io.tickstream.common.admin.AdminSettings;
import io.tickstream.common.config.Setting;
import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.common.kafka.KafkaSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Every knob of the ingest role, with its default. Keys start with {@code ingest.}. */
public final class IngestSettings {

  public static final Setting<String> REST_URL = Setting.ofString("ingest.rest-url", "https://api.binance.com",
      "Base URL of the exchange REST API; symbols come from <rest-url>/api/v3/exchangeInfo.");
  public static final Setting<String> WS_URL = Setting.ofString("ingest.ws-url", "wss://stream.binance.com:9443",
      "Base URL of the exchange market streams; connections open <ws-url>/stream?streams=...");
  public static final Setting<List<String>> SYMBOLS = Setting.ofList("ingest.symbols", List.of(),
      "Only these symbols (upper case); empty means every TRADING symbol of exchangeInfo.");
  public static final Setting<Integer> CHUNK_SIZE = Setting.ofInt("ingest.chunk-size", 1024, 1, 1024,
      "Streams per exchange connection (Binance allows at most 1024).");
  public static final Setting<Duration> SYMBOL_REFRESH = Setting.ofDuration("ingest.symbol-refresh-interval",
      Duration.ofMinutes(5), "How often exchangeInfo is read again to follow listings and halts.");
  public static final Setting<Duration> WATCHDOG_TIMEOUT = Setting.ofDuration("ingest.watchdog-timeout",
      Duration.ofSeconds(30), "A connection that delivers no data for this long is replaced.");
  public static final Setting<Duration> CONNECTION_MAX_AGE = Setting.ofDuration("ingest.connection-max-age",
      Duration.ofHours(23).plusMinutes(50), "Connections are replaced (make-before-break) at this age, before the exchange's 24 h close.");
  public static final Setting<Duration> REPLACEMENT_TIMEOUT = Setting.ofDuration("ingest.replacement-timeout",
      Duration.ofSeconds(10), "How long a replaced connection is kept while its successor has not yet delivered data.");
  public static final Setting<Integer> REPLICAS = Setting.ofInt("ingest.replicas", 1, 1, 8,
      "Ingest nodes streaming each chunk at once; 2 is hot-hot (no takeover gap, every tick written to Kafka twice).");
  public static final Setting<Duration> HANDOVER_TIMEOUT = Setting.ofDuration("ingest.handover-timeout",
      Duration.ofSeconds(10), "How long a stopping ingest node waits for other nodes to take its chunks over before it closes them.");
  public static final Setting<Duration> RECONNECT_BASE_DELAY = Setting.ofDuration("ingest.reconnect-base-delay",
      Duration.ofMillis(500), "First reconnect backoff ceiling; doubles per failed attempt (full jitter).");
  public static final Setting<Duration> RECONNECT_MAX_DELAY = Setting.ofDuration("ingest.reconnect-max-delay",
      Duration.ofSeconds(60), "Largest reconnect backoff ceiling.");
  public static final Setting<Integer> CONNECT_ATTEMPTS = Setting.ofInt("ingest.connect-attempts-per-window", 250, 1, 100_000,
      "Process-wide connection attempts allowed per window (Binance bans above 300 per 5 minutes per IP).");
  public static final Setting<Duration> CONNECT_WINDOW = Setting.ofDuration("ingest.connect-attempt-window",
      Duration.ofMinutes(5), "The sliding window of ingest.connect-attempts-per-window.");
  public static final Setting<Integer> CONTROL_RATE = Setting.ofInt("ingest.control-messages-per-second", 3, 1, 100,
      "Live SUBSCRIBE/UNSUBSCRIBE messages per connection per second (Binance disconnects above 5, pongs included).");
  public static final Setting<String> KAFKA_ACKS = Setting.ofChoice("ingest.kafka.acks", "1", List.of("0", "1", "all"),
      "Producer acks. 1 for latency; all (with ingest.kafka.idempotence) for durability.");
  public static final Setting<Boolean> KAFKA_IDEMPOTENCE = Setting.ofBoolean("ingest.kafka.idempotence", false,
      "Idempotent producer; needs ingest.kafka.acks=all. Without it, one request is in flight per broker so retries cannot reorder a symbol's ticks.");
  public static final Setting<Duration> KAFKA_LINGER = Setting.ofDuration("ingest.kafka.linger", Duration.ZERO,
      "Producer linger.ms: 0 sends at once; batches still form while a request is in flight.");
  public static final Setting<String> KAFKA_COMPRESSION = Setting.ofChoice("ingest.kafka.compression", "none",
      List.of("none", "gzip", "snappy", "lz4", "zstd"), "Producer compression.type.");
  public static final Setting<Long> KAFKA_BUFFER_MEMORY = Setting.ofLong("ingest.kafka.buffer-memory", 32L << 20, 1L << 20, 1L << 34,
      "Producer buffer.memory; half of it bounds the bytes in flight to Kafka, beyond which ticks are conflated per symbol.");
  public static final Setting<List<String>> KAFKA_PROPERTIES = Setting.ofList("ingest.kafka.properties", List.of(),
      "Further producer properties as key=value pairs (they win over the settings above).");
  public static final Setting<Boolean> EXPRESS = Setting.ofBoolean("ingest.express", true,
      "Also publish every tick sent to Kafka straight to the fanout nodes over the clustered event bus (the express lane); the fanout delivers whichever copy comes first (fanout.express).");
  public static final Setting<String> RECORD_FILE = Setting.ofString("ingest.record", null,
      "Write every exchange frame received to this capture file (the simulator can replay it).");
  /** The ingest's admin port before issue 13 was its only HTTP port; the number stays. */
  public static final int DEFAULT_ADMIN_PORT = 8089;
  /** {@code ingest.admin-host}: the private admin server's interface (loopback by default). */
  public static final Setting<String> ADMIN_HOST = AdminSettings.host("ingest");
  /** {@code ingest.admin-port}: /health/live, /health/ready, /metrics and /cluster (replaces ingest.http-port). */
  public static final Setting<Integer> ADMIN_PORT = AdminSettings.port("ingest", DEFAULT_ADMIN_PORT);

  /** The ingest's own settings. */
  public static final List<Setting<?>> OWN = List.of(REST_URL, WS_URL, SYMBOLS, CHUNK_SIZE, SYMBOL_REFRESH,
      WATCHDOG_TIMEOUT, CONNECTION_MAX_AGE, REPLACEMENT_TIMEOUT, REPLICAS, HANDOVER_TIMEOUT, RECONNECT_BASE_DELAY, RECONNECT_MAX_DELAY,
      CONNECT_ATTEMPTS, CONNECT_WINDOW, CONTROL_RATE, KAFKA_ACKS, KAFKA_IDEMPOTENCE, KAFKA_LINGER, KAFKA_COMPRESSION,
      KAFKA_BUFFER_MEMORY, KAFKA_PROPERTIES, EXPRESS, RECORD_FILE, ADMIN_HOST, ADMIN_PORT);

  /** Everything the ingest reads: its own settings, the Kafka connection and the topic. */
  public static final List<Setting<?>> ALL;

  static {
    List<Setting<?>> all = new ArrayList<>(OWN);
    all.addAll(KafkaSettings.ALL);
    all.addAll(BookTickerTopic.ALL);
    ALL = List.copyOf(all);
  }

  private IngestSettings() {
  }
}
