package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickstream.common.config.Config;
import io.tickstream.common.kafka.BookTickerTopic;
import io.tickstream.ingest.IngestMetrics;
import io.tickstream.ingest.IngestSettings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import org.apache.kafka.clients.producer.Producer;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deploys and undeploys this node's {@link SymbolChunk}s, each a verticle of its own (so chunks spread over the
 * event loops) with its Kafka sender and its {@code pending} gauge. Every chunk of the node shares the one
 * exchange {@link ConnectionBudget}, the producer and the in-flight byte limit.
 *
 * <p>Threading: call from the ingest's context.
 */
final class ChunkDeployer {

  /** A deployed chunk. */
  record Deployed(SymbolChunk chunk, Future<String> deployment, Gauge pending) {
  }

  private final Vertx vertx;
  private final Config config;
  private final WebSocketClient ws;
  private final ConnectionBudget budget;
  private final Producer<String, byte[]> producer;
  private final TickRecorder recorder;
  private final IngestDrops drops;
  private final MeterRegistry registry;
  /** Bytes handed to Kafka and not yet acknowledged, all chunks together. */
  private final AtomicLong inFlightBytes = new AtomicLong();

  ChunkDeployer(Vertx vertx, Config config, WebSocketClient ws, ConnectionBudget budget, Producer<String, byte[]> producer,
                TickRecorder recorder, IngestDrops drops, MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.ws = ws;
    this.budget = budget;
    this.producer = producer;
    this.recorder = recorder;
    this.drops = drops;
    this.registry = registry;
  }

  /** Deploys chunk {@code key} with {@code streams}; it connects at once and writes once told to. */
  Deployed deploy(String key, List<String> streams, java.util.function.Supplier<Future<Void>> beforeStop) {
    long maxInFlight = config.get(IngestSettings.KAFKA_BUFFER_MEMORY) / 2;
    int slot = ChunkLayout.slotOf(key);
    boolean express = config.get(IngestSettings.EXPRESS);
    SymbolChunk chunk = new SymbolChunk(slot, key, streams, config, ws, budget,
        context -> new ConflatingKafkaSender(vertx, context, producer, config.get(BookTickerTopic.NAME),
            inFlightBytes, maxInFlight, registry)
            .express(express ? new ExpressPublisher(vertx, context, registry) : null),
        recorder, drops, registry, beforeStop);
    Gauge pending = Gauge.builder(IngestMetrics.PENDING, chunk, SymbolChunk::pendingCount).tag("chunk", key).register(registry);
    return new Deployed(chunk, vertx.deployVerticle(chunk, new DeploymentOptions()), pending);
  }

  /** Closes the chunk's connections and forgets its gauge. */
  Future<Void> undeploy(Deployed d) {
    d.chunk().dismiss();
    registry.remove(d.pending());
    return d.deployment().transform(ar -> ar.succeeded() ? vertx.undeploy(ar.result()) : Future.succeededFuture())
        .recover(e -> Future.succeededFuture());
  }
}
