package io.tickstream.fanout.impl.server;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.common.launch.Role;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.fanout.FanoutVerticle;

import io.vertx.core.transport.Transport;

import java.util.List;
import java.util.Optional;

/**
 * {@code ./tickstream fanout}: the fanout node as a process of its own ({@code RoleApplication} runs it).
 *
 * <pre>
 *   ./tickstream fanout --port 8081 --kafka.bootstrap-servers=127.0.0.1:9092 -instances 4
 * </pre>
 * {@code -instances N} is {@code --instances N}: N server instances, each on its own event loop, in the one node.
 * N fanout verticles would be N nodes in one process, each with its own Kafka consumer reading every partition,
 * its own cluster status and its own connection limit. SIGTERM or Ctrl-C undeploys the verticle: readiness goes
 * false, new connections are refused, every client gets {@code serverShutdown} and is closed with 1012 across
 * {@code fanout.drain-window}, then the process exits.
 */
public final class FanoutRole implements Role {

  @Override
  public String name() {
    return "fanout";
  }

  @Override
  public String verticle() {
    return FanoutVerticle.class.getName();
  }

  @Override
  public List<Setting<?>> settings() {
    return FanoutSettings.ALL;
  }

  @Override
  public Optional<Setting<Integer>> instancesSetting() {
    return Optional.of(FanoutSettings.INSTANCES);
  }

  /**
   * {@code fanout.transport}. A native transport this OS cannot load is an error at start rather than a silent NIO:
   * the throughput figures depend on it (docs/benchmarks.md).
   */
  @Override
  public Transport transport(Config c) {
    String choice = c.get(FanoutSettings.TRANSPORT);
    Transport t = switch (choice) {
      case "epoll" -> Transport.EPOLL;
      case "io_uring" -> Transport.IO_URING;
      case "nio" -> Transport.NIO;
      default -> null;
    };
    if (choice.equals(FanoutSettings.TRANSPORT_AUTO)) {
      return null;
    }
    if (t == null || !t.available()) { // null: the native classes are not on the class path
      throw new IllegalStateException("fanout.transport " + choice + " is not available here"
          + (t == null ? "" : ": " + t.unavailabilityCause()));
    }
    return t;
  }

  @Override
  public String banner(Config c) {
    int admin = c.get(FanoutSettings.ADMIN_PORT);
    return "Fanout node on ws://" + c.get(FanoutSettings.HOST) + ":" + c.get(FanoutSettings.PORT)
        + " (/ws, /stream, /sockjs; live board at http://" + c.get(FanoutSettings.HOST)
        + ":" + c.get(FanoutSettings.PORT) + "/; "
        + (admin < 0 ? "no admin server" : "admin /health/*, /metrics, /cluster on http://" + c.get(FanoutSettings.ADMIN_HOST) + ":" + admin)
        + "), reading " + c.get(BookTickerTopic.NAME)
        + " from " + String.join(",", c.get(KafkaSettings.BOOTSTRAP_SERVERS));
  }
}
