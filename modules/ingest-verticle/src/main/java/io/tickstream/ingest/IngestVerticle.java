package io.tickstream.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.tickstream.ingest.impl.IngestEngine;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The ingest role: exchange book tickers into the {@code book-tickers} Kafka topic.
 *
 * <p>Configured by the verticle's JSON config and {@code TICKSTREAM_*} environment variables
 * ({@link IngestSettings}). It discovers TRADING symbols from {@code exchangeInfo}, splits their streams into
 * chunks of at most {@code ingest.chunk-size}, opens one combined-stream connection per chunk (each chunk is a
 * child verticle, so chunks spread over the event loops), stamps every tick with its receive time {@code pt}
 * and sends it keyed by symbol. Its private admin server ({@code io.tickstream.common.admin.AdminServer}, on
 * {@code ingest.admin-host}:{@code ingest.admin-port}) serves {@code /health/live}, {@code /health/ready} (up only
 * while every chunk is streaming), {@code /metrics} ({@link IngestMetrics}) and {@code /cluster}.
 *
 * <p>Ingest verticles of one Vert.x cluster share the chunks: each chunk is written by {@code ingest.replicas} of them
 * (one by default), chosen alike on every node, handed over make-before-break when a node joins or stops, and taken
 * over when Hazelcast removes a dead member (see {@code io.tickstream.ingest.impl.ChunkOwnership}).
 *
 * <p>Start-up fails only for what retrying cannot fix (bad configuration, a topic that cannot be created);
 * an unreachable exchange or Kafka is retried for ever, and reported by readiness.
 */
public class IngestVerticle extends VerticleBase {

  private final MeterRegistry registry;
  private IngestEngine engine;

  /** Uses Vert.x Micrometer's registry when metrics are enabled, otherwise a Prometheus registry of its own. */
  public IngestVerticle() {
    this(null);
  }

  /** Registers meters in {@code registry} (tests, or an embedding application). */
  public IngestVerticle(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    Config resolved;
    try {
      resolved = Config.fromJson(IngestSettings.ALL, config(), System.getenv());
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    try {
      engine = IngestEngine.create(vertx, resolved, registry);
    } catch (IllegalArgumentException | java.io.IOException e) {
      return Future.failedFuture(e);
    }
    return engine.start();
  }

  @Override
  public Future<?> stop() {
    return engine == null ? Future.succeededFuture() : engine.stop();
  }

  /** True while every chunk is streaming. Any thread. */
  public boolean isReady() {
    return engine != null && engine.isReady();
  }

  /** The port of the admin server (health, metrics, cluster), once started; -1 if disabled. */
  public int adminPort() {
    return engine == null ? -1 : engine.adminPort();
  }

  /**
   * The chunks this node writes to Kafka now ({@code "slot/K"} names, the same on every ingest node); with other
   * ingest nodes in the cluster, its share of them. Any thread.
   */
  public java.util.List<String> writingChunks() {
    return engine == null ? java.util.List.of() : engine.ownership().writing();
  }

  /** Chunks deployed on this node in any state (writing, or still taking or handing one over); tests. */
  int heldChunkCount() {
    return engine == null ? 0 : engine.chunkCount();
  }

  /** The meters of this ingest. */
  public MeterRegistry meters() {
    return engine == null ? registry : engine.registry();
  }
}
