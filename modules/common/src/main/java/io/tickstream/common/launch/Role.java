package io.tickstream.common.launch;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;

import java.util.List;
import java.util.Optional;

/**
 * A role that runs as a process of its own through {@link RoleApplication}: which verticle it deploys, which
 * settings that verticle reads, and how it takes {@code -instances}.
 *
 * <p>Roles are found with {@link java.util.ServiceLoader}: a role module lists its implementation in
 * {@code META-INF/services/io.tickstream.common.launch.Role}, and the launcher picks the one whose
 * {@link #verticle()} is the jar's {@code Main-Verticle} (or the verticle named first on the command line).
 * Implementations are stateless, with a public no-argument constructor. Every method is called on the thread
 * running {@code main}: all but {@link #banner} before Vert.x starts, {@link #banner} once the verticle runs.
 */
public interface Role {

  /** The role as users type it after {@code tickstream}, e.g. {@code fanout}; also the prefix of its own settings. */
  String name();

  /** The command shown in usage and messages, e.g. {@code tickstream fanout}. */
  default String command() {
    return "tickstream " + name();
  }

  /** Fully qualified class name of the role's verticle: the {@code Main-Verticle} of its jar. */
  String verticle();

  /** Every setting the verticle reads; the launcher adds the cluster settings. */
  List<Setting<?>> settings();

  /**
   * What {@code -instances N} sets, as its flag would, or empty if the role runs exactly one verticle instance per
   * process and refuses {@code N > 1}.
   *
   * <p>A role's verticle holds what one process should hold once (a Kafka consumer or producer, exchange
   * connections, a cluster status, a metrics registry), so the launcher never deploys it N times; a role
   * whose work spreads over event loops says here which setting N stands for.
   */
  Optional<Setting<Integer>> instancesSetting();

  /**
   * The network transport the role's Vert.x runs on, or null for Vert.x's own choice ({@code preferNativeTransport}:
   * epoll, else io_uring, else NIO).
   */
  default io.vertx.core.transport.Transport transport(Config config) {
    return null;
  }

  /** The one line printed once the verticle runs: what runs where. */
  String banner(Config config);
}
