package io.tickstream.common.cluster;

import com.hazelcast.config.NetworkConfig;
import io.tickstream.common.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds the Hazelcast cluster manager and the (clustered or plain) Vert.x of a tickstream node from
 * {@link ClusterSettings}.
 *
 * <p>Starts from Vert.x's own Hazelcast configuration ({@link ConfigUtil#loadConfig()}, which carries the maps
 * the event bus needs), then: cluster name, the join of {@code cluster.discovery} ({@link HazelcastDiscovery}: TCP-IP
 * with the members listed one by one by default, auto-detection always off), the interface bound (and only it), no
 * join delay and no phone-home.
 */
public final class HazelcastCluster {

  private HazelcastCluster() {
  }

  /** A cluster manager configured from {@code config}, which must hold every {@link ClusterSettings} key. */
  public static HazelcastClusterManager clusterManager(Config config) {
    com.hazelcast.config.Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(config.get(ClusterSettings.NAME));
    // Without this Hazelcast waits ~5 s before joining, every start.
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    // Failure detection: the defaults (5 s heartbeats, 60 s deadline) keep a vanished host a member for a minute,
    // and with it the work other nodes would take over. A SIGKILLed process on a live host is removed sooner:
    // its sockets close, and Hazelcast suspects a member it cannot reconnect to.
    hz.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(wholeSeconds(config.get(ClusterSettings.HEARTBEAT_INTERVAL))));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(wholeSeconds(config.get(ClusterSettings.MAX_NO_HEARTBEAT))));
    // Split-brain merge: Hazelcast's first look after 300 s, then every 120 s, leaves both sides of a healed
    // partition doing the same work for minutes.
    String merge = String.valueOf(wholeSeconds(config.get(ClusterSettings.MERGE_INTERVAL)));
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", merge);
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", merge);
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(config.get(ClusterSettings.PORT)).setPortAutoIncrement(true);
    String iface = config.get(ClusterSettings.INTERFACE);
    if (iface != null && !iface.isEmpty()) {
      net.getInterfaces().setEnabled(true).addInterface(iface);
      hz.setProperty("hazelcast.socket.bind.any", "false");
    }
    String publicAddress = config.get(ClusterSettings.PUBLIC_ADDRESS);
    if (publicAddress != null && !publicAddress.isEmpty()) {
      net.setPublicAddress(publicAddress);
    }
    HazelcastDiscovery.configure(net.getJoin(), config);
    return new HazelcastClusterManager(hz);
  }

  /** Hazelcast takes these durations in whole seconds: rounded up, never below 1. */
  static long wholeSeconds(java.time.Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  /**
   * A clustered Vert.x when {@code cluster.enabled}, otherwise a plain one; the clustered event bus is set up by
   * {@link #eventBus}.
   */
  public static Future<Vertx> vertx(Config config, VertxOptions options) {
    if (!config.get(ClusterSettings.ENABLED)) {
      return Future.succeededFuture(Vertx.vertx(options));
    }
    eventBus(config, options.getEventBusOptions());
    return Vertx.builder().with(options).withClusterManager(clusterManager(config)).buildClustered();
  }

  /**
   * Binds the clustered event bus to {@code cluster.interface} when that is one address (a pattern leaves the
   * choice to Vert.x), advertises the host of {@code cluster.public-address} and listens on
   * {@code cluster.event-bus-port}, each unless {@code options} already names one (e.g. from the launcher's
   * {@code -cluster-host} or {@code -cluster-port}).
   */
  public static EventBusOptions eventBus(Config config, EventBusOptions options) {
    String iface = config.get(ClusterSettings.INTERFACE);
    if (options.getHost() == null && iface != null && !iface.isEmpty() && !iface.contains("*") && !iface.contains("-")) {
      options.setHost(iface);
    }
    String publicAddress = config.get(ClusterSettings.PUBLIC_ADDRESS);
    if (options.getClusterPublicHost() == null && publicAddress != null && !publicAddress.isEmpty()) {
      options.setClusterPublicHost(publicAddress.split(":")[0]);
    }
    int eventBusPort = config.get(ClusterSettings.EVENT_BUS_PORT);
    if (options.getPort() == EventBusOptions.DEFAULT_CLUSTER_PORT && eventBusPort != 0) {
      options.setPort(eventBusPort);
    }
    return options;
  }
}
