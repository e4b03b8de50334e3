package io.tickstream.fanout;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.common.admin.AdminServer;
import io.tickstream.common.admin.AdminSettings;
import io.tickstream.common.cluster.ClusterStatus;
import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.common.metrics.JvmMeters;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.access.ClientAccess;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import io.tickstream.fanout.impl.server.Admission;
import io.tickstream.fanout.impl.server.FanoutNode;
import io.tickstream.fanout.impl.server.FanoutServer;
import io.tickstream.fanout.impl.server.RebalancePolicy;
import io.tickstream.fanout.impl.server.Rebalancer;
import io.tickstream.fanout.impl.server.ServerTls;
import io.tickstream.fanout.impl.source.ExpressReceiver;
import io.tickstream.fanout.impl.source.TickSource;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.micrometer.backends.BackendRegistries;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * The fanout role: one group-less Kafka consumer per node feeding {@code fanout.instances} server instances
 * (one per event loop), which deliver conflated book tickers to WebSocket and SockJS clients speaking Binance's
 * market-stream protocol. Settings: {@link FanoutSettings}, resolved from {@link #config()} and the environment;
 * meters: {@link FanoutMetrics}.
 *
 * <p>Start: ensure the topic, start the servers (live at once; ready and accepting streams only once the
 * snapshot is rebuilt), then the consumer. Undeploy (the launcher maps SIGTERM to it): the server instances,
 * deployed as children, are undeployed first, which turns readiness false, refuses new connections with 503 and
 * drains every client ({@code serverShutdown}, then 1012 at a jittered moment within {@code fanout.drain-window});
 * then the consumer stops.
 *
 * <p>Operations endpoints ({@code /health/live}, {@code /health/ready}, {@code /metrics}, {@code /cluster}) are on the
 * node's private admin server ({@link AdminServer}, {@code fanout.admin-host}:{@code fanout.admin-port}), never on the
 * client port. Meters go to Vert.x's default Micrometer registry if it is a Prometheus one, else to a registry of this
 * verticle's own; {@code /metrics} serves whichever is used.
 */
public class FanoutVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(FanoutVerticle.class);

  private volatile int actualPort = -1;
  private FanoutNode node;
  /** Started before the node is built: closed by {@link #stop} whether or not the node was. */
  private ServerTls tls;
  private ClientAccess access;
  private volatile ExpressReceiver express;
  private Admin admin;
  private PrometheusMeterRegistry registry;
  private Rebalancer rebalancer;
  private JvmMeters jvmMeters;
  private NodeMetrics nodeMetrics;
  private Admission admission;
  private volatile AdminServer adminServer;
  /** Set once the servers listen (the status names their port); {@code /cluster} shows nothing before. */
  private volatile ClusterStatus clusterStatus;

  /** The port the servers listen on (useful with {@code fanout.port=0}); -1 before start completes. */
  public int actualPort() {
    return actualPort;
  }

  /** The port of the admin server ({@code fanout.admin-port}, useful with 0); -1 before start or when disabled. */
  public int adminPort() {
    AdminServer a = adminServer;
    return a == null ? -1 : a.actualPort();
  }

  /** True when {@code /health/ready} would answer 200. */
  public boolean ready() {
    return node != null && node.ready();
  }

  @Override
  public Future<?> start() {
    Config config;
    try {
      config = Config.fromJson(FanoutSettings.ALL, config(), System.getenv());
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    FanoutConfig fc = FanoutConfig.of(config);
    registry = registry();
    jvmMeters = JvmMeters.bindTo(registry);
    io.tickstream.common.cluster.HazelcastCluster.bindMeters(vertx, registry);
    NodeMetrics metrics = new NodeMetrics(registry);
    nodeMetrics = metrics;
    Map<String, Object> props;
    try {
      admission = Admission.of(vertx, config, registry);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ConfigException(e.getMessage(), e));
    }
    try {
      props = KafkaSettings.clientProperties(config, "fanout");
      tls = ServerTls.of(vertx, config, registry);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    admin = Admin.create(props);
    return tls.start().compose(v -> BookTickerTopic.ensure(vertx, admin, config))
        .compose(check -> ClientAccess.start(vertx, config, registry))
        .compose(started -> {
          access = started;
          node = FanoutNode.builder(vertx, fc, metrics)
              .source(ticks -> new TickSource(props, config.get(BookTickerTopic.NAME), config.get(FanoutSettings.POLL_TIMEOUT),
                  ticks, metrics))
              .admission(admission).access(access).tls(tls).exchange(config.get(FanoutSettings.EXCHANGE))
              .build();
          // Port 0: every instance listens on -1, Vert.x's "one random port shared by the servers using -1".
          return deployServers(fc, 0, fc.port() == 0 ? -1 : fc.port());
        })
        .compose(v -> startAdmin(config))
        .map(v -> {
          clusterStatus = ClusterStatus.start(vertx, "fanout", advertised(config.get(FanoutSettings.PUBLIC_ADDRESS), fc.host(), actualPort),
              ClusterStatus.DEFAULT_INTERVAL, statusDetails(node, metrics));
          RebalancePolicy policy = RebalancePolicy.of(config);
          if (policy.enabled()) {
            rebalancer = Rebalancer.start(vertx, node, clusterStatus, policy, fc.host() + ":" + actualPort);
          }
          TickSource source = node.source();
          source.onGiveUp(FanoutVerticle::exitForTheOrchestrator);
          source.start();
          if (config.get(FanoutSettings.EXPRESS)) {
            // After the snapshot: an express batch reaching a loop first would count as its snapshot.
            express = new ExpressReceiver(vertx, node.ticks(), source, metrics);
            source.ready().thenRun(() -> context.runOnContext(ignored -> {
              if (express != null) {
                express.start();
              }
            }));
          }
          log.info("Fanout listening on {}:{} with {} instances", fc.host(), actualPort, fc.instances());
          return null;
        });
  }

  /**
   * Readiness, draining, connections, subscriptions and ticks/s in since the previous call (called once per status
   * interval). Rebalancing reads {@code ready}, {@code draining} and {@code connections} of every fanout node.
   */
  private static java.util.function.Supplier<io.vertx.core.json.JsonObject> statusDetails(FanoutNode node,
                                                                                          NodeMetrics metrics) {
    long[] last = {metrics.ticksIn(), System.nanoTime()};
    return () -> {
      long ticks = metrics.ticksIn();
      long now = System.nanoTime();
      double perSecond = now > last[1] ? (ticks - last[0]) * 1e9 / (now - last[1]) : 0;
      last[0] = ticks;
      last[1] = now;
      return new io.vertx.core.json.JsonObject().put("ready", node.ready()).put("draining", node.draining())
          .put("connections", metrics.connections())
          .put("subscriptions", metrics.subscriptions()).put("ticksPerSecond", Math.round(perSecond));
    };
  }

  /** {@code fanout.public-address} as given, with the port added if it names none; else {@code host:port}. */
  static String advertised(String publicAddress, String host, int port) {
    if (publicAddress == null || publicAddress.isBlank()) {
      return host + ":" + port;
    }
    return publicAddress.matches(".*:\\d+") ? publicAddress : publicAddress + ":" + port;
  }

  /** Deploys the server instances one after the other; they share the port. */
  private Future<Void> deployServers(FanoutConfig fc, int deployed, int port) {
    if (deployed == fc.instances()) {
      return Future.succeededFuture();
    }
    FanoutServer server = new FanoutServer(node, port);
    return vertx.deployVerticle(server, new DeploymentOptions()).compose(id -> {
      actualPort = server.actualPort();
      return deployServers(fc, deployed + 1, port);
    });
  }

  /**
   * The node's private admin server, unless {@code fanout.admin-port} is -1. Live: the Kafka consumer has not given
   * up; ready: {@link FanoutNode#ready()}, with its details. {@code /cluster} lists the statuses once they run.
   */
  private Future<Void> startAdmin(Config config) {
    int port = config.get(FanoutSettings.ADMIN_PORT);
    if (port == AdminSettings.DISABLED) {
      return Future.succeededFuture();
    }
    return node.adminServer(config.get(FanoutSettings.ADMIN_HOST), port, registry, () -> clusterStatus).start().map(s -> {
      adminServer = s;
      log.info("Fanout admin (/health/live, /health/ready, /metrics, /cluster) on http://{}:{}", s.host(), s.actualPort());
      return null;
    });
  }

  private static PrometheusMeterRegistry registry() {
    MeterRegistry shared = BackendRegistries.getDefaultNow();
    return shared instanceof PrometheusMeterRegistry p ? p : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Exit status when the Kafka consumer kept failing: EX_SOFTWARE of sysexits.h. */
  public static final int EXIT_CONSUMER_FAILED = 70;

  /**
   * The Kafka consumer kept failing (see {@code fanout.consumer-max-failures}): a node without data is only worth
   * replacing. {@code /health/live} already answers 503; exiting also serves a plain process supervisor. The exit
   * runs the shutdown hook, which closes Vert.x and so drains the clients (serverShutdown, then 1012) to other
   * nodes. On a thread of its own: {@link System#exit} waits for the hooks, which must not wait for this thread.
   */
  private static void exitForTheOrchestrator() {
    log.error("Exiting with status {}: the Kafka consumer kept failing", EXIT_CONSUMER_FAILED);
    Thread exit = new Thread(() -> System.exit(EXIT_CONSUMER_FAILED), "tickstream-fanout-exit");
    exit.start();
  }

  /** The node (package-private: for tests). */
  FanoutNode node() {
    return node;
  }

  /** The registry holding this node's meters (package-private: for tests). */
  MeterRegistry meterRegistry() {
    return registry;
  }

  @Override
  public Future<?> stop() {
    if (tls != null) {
      tls.stop();
    }
    if (rebalancer != null) {
      rebalancer.close();
    }
    ExpressReceiver e = express;
    express = null;
    if (e != null) {
      e.stop();
    }
    if (node != null) {
      node.startDraining();
    }
    if (access != null) {
      access.close();
    }
    if (clusterStatus != null) {
      clusterStatus.close();
    }
    if (jvmMeters != null) {
      jvmMeters.close();
    }
    if (admission != null) {
      admission.close();
    }
    AdminServer a = adminServer;
    Future<Void> adminClosed = a == null ? Future.succeededFuture() : a.close();
    return adminClosed.transform(ignored -> vertx.executeBlocking(() -> {
      if (node != null) {
        node.source().close();
      }
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
      if (nodeMetrics != null) {
        nodeMetrics.close(); // last: /metrics keeps the histogram while the clients drain
      }
      return null;
    }));
  }
}
