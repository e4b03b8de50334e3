package io.tickstream.local;

import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.cluster.HazelcastCluster;
import io.tickstream.common.config.Config;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.fanout.FanoutVerticle;
import io.tickstream.ingest.IngestSettings;
import io.tickstream.ingest.IngestVerticle;
import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import io.tickstream.simulator.ExchangeSimulator;
import io.tickstream.simulator.SimulatorSettings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every role in one JVM on one clustered Vert.x: the embedded Kafka broker (unless {@code local.kafka} names
 * one), the exchange (Binance, or the simulator), the ingest and a fanout node.
 *
 * <p>Each role keeps its own private admin server, as it would in a process of its own: the fanout's on
 * {@code fanout.admin-host}:{@code fanout.admin-port} (127.0.0.1:8090), the ingest's on
 * {@code ingest.admin-host}:{@code ingest.admin-port} (127.0.0.1:8089). Their readiness differs (the fanout needs the
 * topic's snapshot, the ingest its exchange connections), so one shared server would have to pick one; their
 * {@code /cluster} lists the same nodes.
 *
 * <p>{@link #start(Config)} and {@link #stop()} block and must not be called on a Vert.x thread. Stop order:
 * the fanout drains its clients, the ingest closes its exchange connections and flushes its producer, the
 * simulator and Vert.x close, then the broker.
 */
public final class LocalStack {

  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
  private static final long TIMEOUT_SECONDS = 120;

  private final Config config;
  private EmbeddedKafkaBroker broker;
  private Vertx vertx;
  private ExchangeSimulator simulator;
  private FanoutVerticle fanout;
  private IngestVerticle ingest;
  private String fanoutId;
  private String ingestId;
  private String exchange;
  private String kafka;

  private LocalStack(Config config) {
    this.config = config;
  }

  /** Starts everything; on failure stops what had started and rethrows. */
  public static LocalStack start(Config config) throws Exception {
    LocalStack stack = new LocalStack(config);
    try {
      stack.startAll();
    } catch (Exception e) {
      stack.stop();
      throw e;
    }
    return stack;
  }

  private void startAll() throws Exception {
    kafka = config.get(LocalStackSettings.KAFKA);
    if (kafka == null || kafka.isEmpty()) {
      log.info("Starting the embedded Kafka broker on 127.0.0.1:{}", config.get(LocalStackSettings.KAFKA_PORT));
      broker = EmbeddedKafkaBroker.builder().host("127.0.0.1").port(config.get(LocalStackSettings.KAFKA_PORT)).build().start();
      kafka = broker.bootstrapServers();
    }
    log.info("Joining the Hazelcast cluster '{}'", config.get(ClusterSettings.NAME));
    // Native transport (epoll, else io_uring), as the role processes run: the fanout's bound on a socket's unsent bytes
    // (fanout.tcp-notsent-lowat) and its throughput figures need it; NIO stays the fallback where none loads.
    vertx = HazelcastCluster.vertx(config, new VertxOptions().setPreferNativeTransport(true))
        .await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    exchange = chooseExchange();
    Config roles = config.with(KafkaSettings.BOOTSTRAP_SERVERS, List.of(kafka)).with(FanoutSettings.EXCHANGE, exchange);
    if (exchange.equals(LocalStackSettings.SIMULATOR)) {
      log.info("Starting the exchange simulator");
      simulator = ExchangeSimulator.create(vertx, config).start().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      roles = roles.with(IngestSettings.REST_URL, simulator.restUrl()).with(IngestSettings.WS_URL, simulator.wsUrl());
      log.warn(simulatedBanner());
    }
    // Resolved: flags already beat the environment here, so the verticles must not apply TICKSTREAM_* again.
    JsonObject json = roles.toResolvedJson();
    log.info("Starting the fanout node");
    fanout = new FanoutVerticle();
    fanoutId = vertx.deployVerticle(fanout, new DeploymentOptions().setConfig(json)).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    log.info("Starting the ingest from {}", exchange.equals(LocalStackSettings.SIMULATOR) ? "the simulator" : "Binance");
    ingest = new IngestVerticle();
    ingestId = vertx.deployVerticle(ingest, new DeploymentOptions().setConfig(json)).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Duration every = config.get(LocalStackSettings.STATUS_INTERVAL);
    if (every.toMillis() > 0) {
      vertx.deployVerticle(new StatusLine(every)).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** {@code binance} or {@code simulator}: auto asks Binance's REST API and falls back when it does not answer. */
  private String chooseExchange() {
    String wanted = config.get(LocalStackSettings.EXCHANGE);
    if (!wanted.equals(LocalStackSettings.AUTO)) {
      return wanted;
    }
    long timeout = config.get(LocalStackSettings.BINANCE_PROBE_TIMEOUT).toMillis();
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeout));
    try {
      int status = http.request(new RequestOptions().setMethod(HttpMethod.GET)
              .setAbsoluteURI(config.get(LocalStackSettings.BINANCE_PROBE_URL)).setTimeout(timeout))
          .compose(req -> req.send()).map(resp -> resp.statusCode())
          .await(timeout + 1000, TimeUnit.MILLISECONDS);
      log.info("Binance answered {}", status);
      return status == 200 ? LocalStackSettings.BINANCE : LocalStackSettings.SIMULATOR;
    } catch (Exception e) {
      log.info("Binance is not reachable ({}); using the simulator", e.getMessage());
      return LocalStackSettings.SIMULATOR;
    } finally {
      http.close();
    }
  }

  /** {@code binance} or {@code simulator}. */
  public String exchange() {
    return exchange;
  }

  /** The broker the roles use, host:port. */
  public String kafka() {
    return kafka;
  }

  /**
   * The exchange simulator this stack runs (for tests that inject faults, e.g. {@code faults().dropConnections()},
   * or read the raw feed on {@code simulator.port()}); {@code null} when the exchange is Binance or after {@link #stop()}.
   */
  public ExchangeSimulator simulator() {
    return simulator;
  }

  public int fanoutPort() {
    return fanout.actualPort();
  }

  /** The fanout's admin port: /health/*, /metrics, /cluster; -1 with {@code fanout.admin-port=-1}. */
  public int fanoutAdminPort() {
    return fanout.adminPort();
  }

  /** The ingest's admin port: /health/*, /metrics, /cluster; -1 with {@code ingest.admin-port=-1}. */
  public int ingestAdminPort() {
    return ingest.adminPort();
  }

  /** True once the fanout serves and every ingest chunk streams. */
  public boolean ready() {
    return fanout != null && fanout.ready() && ingest != null && ingest.isReady();
  }

  public String simulatedBanner() {
    return "SIMULATED DATA: Binance was not used; prices come from the built-in exchange simulator on "
        + (simulator == null ? "?" : simulator.restUrl()) + " and are not market prices.";
  }

  /** What runs where, and which URL to open. */
  public String describe() {
    String host = config.get(FanoutSettings.HOST);
    String base = host + ":" + fanoutPort();
    boolean tls = config.get(FanoutSettings.TLS_CERT) != null;
    String ws = tls ? "wss://" : "ws://";
    String http = tls ? "https://" : "http://";
    StringBuilder sb = new StringBuilder();
    if (simulator != null) {
      sb.append("*** ").append(simulatedBanner()).append(" ***\n");
    }
    sb.append("tickstream local is running:\n")
        .append("  Kafka      ").append(kafka).append(broker != null ? " (embedded; topic book-tickers)" : " (external)").append('\n')
        .append("  exchange   ").append(exchange.equals(LocalStackSettings.SIMULATOR) ? "simulator at " + simulator.restUrl()
            : "Binance " + config.get(IngestSettings.WS_URL)).append('\n')
        .append("  ingest     admin (/health/ready, /metrics, /cluster) on http://").append(config.get(IngestSettings.ADMIN_HOST))
        .append(':').append(ingestAdminPort()).append('\n')
        .append("  fanout     ").append(ws).append(base).append("/ws, /stream, /sockjs; admin (/health/ready, /metrics, /cluster) on http://")
        .append(config.get(FanoutSettings.ADMIN_HOST)).append(':').append(fanoutAdminPort()).append('\n')
        .append("Open: ").append(http).append(base).append("/ in a browser (live board), or ").append(ws).append(base)
        .append("/ws/btcusdt@bookTicker (or /ws/!bookTicker)");
    return sb.toString();
  }

  /** Stops everything that runs, in dependency order. Blocking; idempotent. */
  public synchronized void stop() {
    if (vertx != null) {
      undeploy(fanoutId, "fanout");
      fanoutId = null;
      undeploy(ingestId, "ingest");
      ingestId = null;
      if (simulator != null) {
        try {
          simulator.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
          log.warn("Simulator stop failed", e);
        }
        simulator = null;
      }
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("Vert.x close failed", e);
      }
      vertx = null;
    }
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

  private void undeploy(String id, String what) {
    if (id == null) {
      return;
    }
    try {
      vertx.undeploy(id).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Stopping the {} failed", what, e);
    }
  }
}
