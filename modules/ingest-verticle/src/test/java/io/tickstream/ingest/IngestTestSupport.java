package io.tickstream.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.common.config.Config;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.tickstream.simulator.ExchangeSimulator;
import io.tickstream.simulator.SimulatorSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Runs the ingest against an in-process exchange simulator and the real broker of the test run, and reads
 * what it wrote. Each test gets its own topic.
 */
@ExtendWith(KafkaBrokerExtension.class)
abstract class IngestTestSupport {

  static final Duration WAIT = Duration.ofSeconds(60);

  Vertx vertx;
  String topic;
  ExchangeSimulator simulator;
  IngestVerticle ingest;
  PrometheusMeterRegistry meters;
  TopicReader reader;
  private String deployment;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startVertx(TestInfo info) {
    vertx = Vertx.vertx();
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    topic = "ingest-" + info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
  }

  @AfterEach
  void stopAll() throws Exception {
    if (deployment != null) {
      vertx.undeploy(deployment).await(20, TimeUnit.SECONDS);
    }
    if (simulator != null) {
      simulator.close().await(10, TimeUnit.SECONDS);
    }
    if (reader != null) {
      reader.close();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  void closeAfter(AutoCloseable c) {
    closeables.add(c);
  }

  /** A simulator on a free port: {@code symbols} listed, {@code rate} ticks/s in all. */
  static Config simulatorConfig(List<String> symbols, long rate) {
    return Config.defaults(SimulatorSettings.ALL).with(SimulatorSettings.PORT, 0)
        .with(SimulatorSettings.SYMBOLS, symbols).with(SimulatorSettings.TICK_RATE, rate);
  }

  ExchangeSimulator startSimulator(Config config) throws Exception {
    simulator = ExchangeSimulator.create(vertx, config).start().await(20, TimeUnit.SECONDS);
    return simulator;
  }

  /** Ingest settings pointing at the simulator and the test broker, with test-sized timings. */
  JsonObject ingestConfig(String bootstrapServers) {
    return new JsonObject()
        .put("ingest.rest-url", simulator.restUrl())
        .put("ingest.ws-url", simulator.wsUrl())
        .put("ingest.admin-port", 0)
        .put("ingest.reconnect-base-delay", "50ms")
        .put("ingest.reconnect-max-delay", "1s")
        .put("kafka.bootstrap-servers", new JsonArray().add(bootstrapServers))
        .put("topic.name", topic)
        .put("topic.partitions", 3)
        .put("topic.compaction", false);
  }

  IngestVerticle deployIngest(JsonObject config) throws Exception {
    ingest = new IngestVerticle(meters);
    deployment = vertx.deployVerticle(ingest, new io.vertx.core.DeploymentOptions().setConfig(config))
        .await(30, TimeUnit.SECONDS);
    return ingest;
  }

  void undeployIngest() throws Exception {
    vertx.undeploy(deployment).await(20, TimeUnit.SECONDS);
    deployment = null;
  }

  void awaitReady() {
    await().atMost(WAIT).until(() -> ingest.isReady());
  }

  TopicReader reader(String bootstrapServers) {
    reader = new TopicReader(bootstrapServers, topic);
    return reader;
  }

  /** How many chunks (so connections) the ingest forms from {@code symbols}. */
  static int chunksOf(java.util.Collection<String> symbols, int chunkSize) {
    return io.tickstream.ingest.impl.ChunkLayout.of(symbols.stream()
        .map(s -> s.toLowerCase(java.util.Locale.ROOT) + "@bookTicker").toList(), chunkSize).size();
  }

  /** Sum of a counter over all its tags, or of the ones given as key, value pairs. */
  double count(String name, String... tags) {
    return Search.in(meters).name(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  double gauge(String name, String... tags) {
    return Search.in(meters).name(name).tags(tags).gauges().stream().mapToDouble(Gauge::value).sum();
  }

}
