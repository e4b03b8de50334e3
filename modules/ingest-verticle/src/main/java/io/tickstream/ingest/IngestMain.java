package io.tickstream.ingest;

import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.common.launch.RoleLauncher;

/**
 * {@code ./tickstream ingest}: runs the ingest role in its own process.
 *
 * <pre>
 *   ./tickstream ingest --rest-url=http://127.0.0.1:9443 --ws-url=ws://127.0.0.1:9443 --record capture.jsonl
 * </pre>
 * Flags, a {@code --config} file and {@code TICKSTREAM_*} variables as described in docs/configuration.md.
 * SIGTERM or Ctrl-C undeploys the verticle (closing exchange connections and flushing the producer) before exit.
 */
public final class IngestMain {

  private IngestMain() {
  }

  public static void main(String[] args) throws Exception {
    RoleLauncher.run("tickstream ingest", "ingest", IngestSettings.ALL, args, IngestVerticle::new,
        c -> "Ingest running: " + c.get(IngestSettings.WS_URL) + " -> Kafka " + String.join(",", c.get(KafkaSettings.BOOTSTRAP_SERVERS))
            + " topic " + c.get(BookTickerTopic.NAME) + "; health and metrics on port " + c.get(IngestSettings.HTTP_PORT));
  }
}
