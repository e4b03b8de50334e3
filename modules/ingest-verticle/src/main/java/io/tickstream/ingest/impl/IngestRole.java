package io.tickstream.ingest.impl;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.common.launch.Role;
import io.tickstream.ingest.IngestSettings;
import io.tickstream.ingest.IngestVerticle;

import java.util.List;
import java.util.Optional;

/**
 * {@code ./tickstream ingest}: the ingest as a process of its own ({@code RoleApplication} runs it).
 *
 * <pre>
 *   ./tickstream ingest --rest-url=http://127.0.0.1:9443 --ws-url=ws://127.0.0.1:9443 --record capture.jsonl
 * </pre>
 * One verticle instance per process: a second would open every exchange connection again, write every tick
 * twice, and spend a connection-attempt budget of its own, together above what Binance allows one IP. Its chunks
 * already spread over the event loops, so {@code -instances N} is refused for N &gt; 1. SIGTERM or Ctrl-C undeploys the verticle (closing exchange
 * connections and flushing the producer) before exit.
 */
public final class IngestRole implements Role {

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public String verticle() {
    return IngestVerticle.class.getName();
  }

  @Override
  public List<Setting<?>> settings() {
    return IngestSettings.ALL;
  }

  @Override
  public Optional<Setting<Integer>> instancesSetting() {
    return Optional.empty();
  }

  @Override
  public String banner(Config c) {
    return "Ingest running: " + c.get(IngestSettings.WS_URL) + " -> Kafka " + String.join(",", c.get(KafkaSettings.BOOTSTRAP_SERVERS))
        + " topic " + c.get(BookTickerTopic.NAME) + "; " + (c.get(IngestSettings.ADMIN_PORT) < 0 ? "no admin server"
        : "admin /health/*, /metrics, /cluster on http://" + c.get(IngestSettings.ADMIN_HOST) + ":" + c.get(IngestSettings.ADMIN_PORT));
  }
}
