package io.tickstream.ingest;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
    PrintWriter out = new PrintWriter(System.out, true);
    Optional<Config> parsed;
    try {
      parsed = Config.fromArgs("tickstream ingest", "ingest", IngestSettings.ALL, args, System.getenv(), out);
    } catch (ConfigException e) {
      System.err.println("tickstream ingest: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (parsed.isEmpty()) {
      return;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    String id;
    try {
      // Flags and file are already merged; the verticle applies the environment again, which changes nothing.
      id = vertx.deployVerticle(new IngestVerticle(), new DeploymentOptions().setConfig(parsed.get().toJson()))
          .await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("tickstream ingest: start failed: " + e.getMessage());
      vertx.close();
      System.exit(1);
      return;
    }
    out.println("Ingest running: " + parsed.get().get(IngestSettings.WS_URL) + " -> Kafka "
        + parsed.get().get(io.tickstream.common.kafka.KafkaSettings.BOOTSTRAP_SERVERS) + " topic "
        + parsed.get().get(io.tickstream.common.kafka.BookTickerTopic.NAME));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.undeploy(id).await(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("tickstream ingest: clean stop failed: " + e.getMessage());
      }
      // Awaited from this (non-Vert.x) thread, so nothing is dispatched to an event loop that is shutting down.
      try {
        vertx.close().await(20, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Exiting anyway.
      }
      stopped.countDown();
    }, "tickstream-ingest-shutdown"));
    stopped.await();
  }
}
