package io.tickstream.local;

import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.config.Setting;
import io.tickstream.common.logging.Logging;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.ingest.IngestSettings;
import io.tickstream.simulator.SimulatorSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The knobs of {@code ./tickstream local}; it also takes every fanout, ingest, simulator, cluster and log setting. */
public final class LocalStackSettings {

  public static final String AUTO = "auto";
  public static final String BINANCE = "binance";
  public static final String SIMULATOR = "simulator";

  public static final Setting<String> EXCHANGE = Setting.ofChoice("local.exchange", AUTO, List.of(AUTO, BINANCE, SIMULATOR),
      "Where ticks come from: live Binance, the built-in simulator, or auto (Binance when its REST API answers, "
      + "otherwise the simulator, announced as SIMULATED DATA).");
  public static final Setting<String> KAFKA = Setting.ofString("local.kafka", null,
      "An external Kafka broker, host:port; unset starts the embedded broker.");
  public static final Setting<Integer> KAFKA_PORT = Setting.ofInt("local.kafka-port", 9092, 0, 65535,
      "Port of the embedded broker on 127.0.0.1 (ordinary Kafka tools can read book-tickers there); 0 picks a free port.");
  public static final Setting<String> BINANCE_PROBE_URL = Setting.ofString("local.binance-probe-url",
      "https://api.binance.com/api/v3/exchangeInfo?symbol=BTCUSDT", "What auto asks to decide whether Binance is reachable.");
  public static final Setting<Duration> BINANCE_PROBE_TIMEOUT = Setting.ofDuration("local.binance-probe-timeout",
      Duration.ofSeconds(3), "How long auto waits for Binance before falling back to the simulator.");

  public static final Setting<Duration> STATUS_INTERVAL = Setting.ofDuration("local.status-interval", Duration.ofSeconds(5),
      "How often a status line (ticks/s through the ingest and the fanout, connections) is logged; 0 turns it off.");

  public static final List<Setting<?>> OWN = List.of(EXCHANGE, KAFKA, KAFKA_PORT, BINANCE_PROBE_URL, BINANCE_PROBE_TIMEOUT,
      STATUS_INTERVAL);

  /** Own settings first, then every role's, each key once. */
  public static final List<Setting<?>> ALL;

  static {
    List<Setting<?>> all = new ArrayList<>(OWN);
    for (List<Setting<?>> group : List.of(FanoutSettings.ALL, IngestSettings.ALL, SimulatorSettings.ALL, ClusterSettings.ALL,
        Logging.SETTINGS)) {
      for (Setting<?> s : group) {
        if (all.stream().noneMatch(a -> a.key().equals(s.key()))) {
          all.add(s);
        }
      }
    }
    ALL = List.copyOf(all);
  }

  private LocalStackSettings() {
  }
}
