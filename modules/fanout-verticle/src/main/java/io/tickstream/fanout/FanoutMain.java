package io.tickstream.fanout;

import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.common.launch.RoleLauncher;

/**
 * {@code ./tickstream fanout}: runs a fanout node in its own process.
 *
 * <pre>
 *   ./tickstream fanout --port 8080 --kafka.bootstrap-servers=127.0.0.1:9092
 * </pre>
 * SIGTERM or Ctrl-C undeploys the verticle: readiness goes false, new connections are refused, every client gets
 * {@code serverShutdown} and is closed with 1012 across {@code fanout.drain-window}, then the process exits.
 */
public final class FanoutMain {

  private FanoutMain() {
  }

  public static void main(String[] args) throws Exception {
    RoleLauncher.run("tickstream fanout", "fanout", FanoutSettings.ALL, args, FanoutVerticle::new,
        c -> "Fanout node on ws://" + c.get(FanoutSettings.HOST) + ":" + c.get(FanoutSettings.PORT)
            + " (/ws, /stream, /sockjs, /health/ready, /metrics, /cluster), reading " + c.get(BookTickerTopic.NAME)
            + " from " + String.join(",", c.get(KafkaSettings.BOOTSTRAP_SERVERS)));
  }
}
