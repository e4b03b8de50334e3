package io.tickstream.common.cluster;

import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceFactory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickstream.common.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Builds the Hazelcast cluster manager and the (clustered or plain) Vert.x of a tickstream node from
 * {@link ClusterSettings}.
 *
 * <p>Starts from Vert.x's own Hazelcast configuration ({@link ConfigUtil#loadConfig()}, which carries the maps
 * the event bus needs), then: cluster name, the join of {@code cluster.discovery} ({@link HazelcastDiscovery}: TCP-IP
 * with the members listed one by one by default, auto-detection always off), the interface bound (and only it), no
 * join delay and no phone-home.
 *
 * <p>With {@code cluster.allowed-members} set, the member refuses peers from other addresses ({@link MemberAllowlist},
 * {@link AllowlistNodeContext}); Vert.x cannot start such a member itself, so {@link #clusterManager} starts it
 * (blocking until it has joined) and hands it to Vert.x, which leaves and shuts it down on close.
 */
public final class HazelcastCluster {

  private static final Logger log = LoggerFactory.getLogger(HazelcastCluster.class);
  /** The member attribute vertx-hazelcast reads its node id from, on a member it did not start. */
  static final String VERTX_NODE_ID = "__vertx.nodeId";

  private HazelcastCluster() {
  }

  /**
   * A cluster manager configured from {@code config}, which must hold every {@link ClusterSettings} key. Without
   * {@code cluster.allowed-members} it starts nothing (Vert.x starts the member as it joins); with it, the member is
   * started here, so this blocks for the join (seconds): call it off any event loop.
   */
  public static HazelcastClusterManager clusterManager(Config config) {
    com.hazelcast.config.Config hz = hazelcastConfig(config);
    MemberAllowlist allowlist = MemberAllowlist.of(config.get(ClusterSettings.ALLOWED_MEMBERS));
    if (allowlist.allowsAny()) {
      warnIfOpen(config);
      return new HazelcastClusterManager(hz);
    }
    // Hazelcast asks the NodeExtension for the interceptor only when the config enables one.
    hz.getNetworkConfig().setSocketInterceptorConfig(new com.hazelcast.config.SocketInterceptorConfig().setEnabled(true));
    // What vertx-hazelcast sets on members it starts: Vert.x's close leaves and shuts the member down, not a JVM hook.
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.getMemberAttributeConfig().setAttribute(VERTX_NODE_ID, UUID.randomUUID().toString());
    log.info("Hazelcast accepts cluster peers only from {}", allowlist);
    HazelcastInstance member = HazelcastInstanceFactory.newHazelcastInstance(hz, hz.getInstanceName(),
        new AllowlistNodeContext(allowlist));
    return new AllowlistClusterManager(member, allowlist);
  }

  /**
   * Connections and join requests the member of {@code vertx} refused for {@code cluster.allowed-members}; 0 when
   * the list is empty or Vert.x is not clustered. Any thread.
   */
  public static long refusedPeers(Vertx vertx) {
    return vertx instanceof VertxInternal vi && vi.clusterManager() instanceof AllowlistClusterManager m
        ? m.allowlist().refused() : 0;
  }

  /** The counter {@link #bindMeters} registers: peers refused for {@code cluster.allowed-members}. */
  public static final String REFUSED_PEERS = "tickstream.cluster.refused.peers";

  /**
   * Registers {@link #REFUSED_PEERS} ({@code tickstream_cluster_refused_peers_total} on /metrics), read from the member
   * of {@code vertx} at each scrape; a role calls it once with its registry.
   */
  public static void bindMeters(Vertx vertx, MeterRegistry registry) {
    FunctionCounter.builder(REFUSED_PEERS, vertx, HazelcastCluster::refusedPeers)
        .description("Connections and join requests the Hazelcast member refused: their address is not in cluster.allowed-members")
        .register(registry);
  }

  private static void warnIfOpen(Config config) {
    String iface = config.get(ClusterSettings.INTERFACE);
    boolean loopback = iface != null && (iface.startsWith("127.") || iface.equals("::1") || iface.equals("localhost"));
    if (!loopback) {
      log.warn("cluster.allowed-members is empty and Hazelcast binds {}: any host reaching that port with cluster "
          + "name '{}' joins; set cluster.allowed-members (docs/security/admin-and-cluster.md)",
          iface == null || iface.isEmpty() ? "every interface" : iface, config.get(ClusterSettings.NAME));
    }
  }

  /** The Hazelcast configuration {@link #clusterManager} starts a member with (tests inspect it). */
  public static com.hazelcast.config.Config hazelcastConfig(Config config) {
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
    return hz;
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
    // clusterManager blocks while an allowlisted member joins: not on the caller's thread, which may be a context's.
    CompletableFuture<HazelcastClusterManager> manager = CompletableFuture.supplyAsync(() -> clusterManager(config),
        runnable -> new Thread(runnable, "tickstream-hazelcast-start").start());
    return Future.fromCompletionStage(manager)
        .compose(cm -> Vertx.builder().with(options).withClusterManager(cm).buildClustered()
            .onFailure(e -> {
              if (cm instanceof AllowlistClusterManager) {
                cm.getHazelcastInstance().getLifecycleService().shutdown(); // started by us, not joined by Vert.x
              }
            }));
  }

  /**
   * Binds the clustered event bus to {@code cluster.interface} when that is one address (a pattern leaves the
   * choice to Vert.x), advertises the host of {@code cluster.public-address} and listens on
   * {@code cluster.event-bus-port}, each unless {@code options} already names one (e.g. from the launcher's
   * {@code -cluster-host} or {@code -cluster-port}); with {@code cluster.event-bus-tls.keystore}, mutual TLS.
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
    String keystore = config.get(ClusterSettings.EVENT_BUS_TLS_KEYSTORE);
    if (keystore != null && !keystore.isEmpty()) {
      // Mutual TLS: the event bus is a server and a client to every other node; each side must present a trusted
      // certificate, so a peer without the deployment's key can neither send nor receive. Host names are not
      // checked: members are addressed by IP, and the trust store, not DNS, is what admits them.
      String truststore = config.get(ClusterSettings.EVENT_BUS_TLS_TRUSTSTORE);
      String password = config.get(ClusterSettings.EVENT_BUS_TLS_PASSWORD);
      options.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
          .setKeyCertOptions(new PfxOptions().setPath(keystore).setPassword(password))
          .setTrustOptions(new PfxOptions()
              .setPath(truststore == null || truststore.isEmpty() ? keystore : truststore).setPassword(password));
    }
    return options;
  }
}
