package io.tickstream.fanout.impl.server;

import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.source.EncodedTick;
import io.tickstream.fanout.impl.source.TickBatch;
import io.tickstream.fanout.impl.source.TickBatchSink;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

import java.util.List;
import java.util.UUID;

/**
 * How ticks reach a node's loops: one publish per batch on the node's <b>local</b> event bus, at an address of the
 * node's own, consumed by one {@link io.tickstream.fanout.impl.loop.LoopDispatcher} per event loop. The event bus keeps
 * one address's consumers in a copy-on-write array, so one consumer per loop stays cheap where one per connection
 * would not. A node's sources hand their batches here ({@link TickBatchSink}), which is why it exists apart from
 * {@link FanoutNode}: a source is built before the node that holds it.
 *
 * <p>Threading: {@link #publish} on the sources' threads (the Kafka thread, the express lane's loop); the rest any.
 */
final class TickBus implements TickBatchSink {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setCodecName(TickBatch.CODEC_NAME);

  private final Vertx vertx;
  private final FanoutConfig config;
  /** Unique per node, so several nodes in one JVM (tests, the local stack) never see each other's ticks. */
  private final String address = "tickstream.fanout.ticks." + UUID.randomUUID();

  TickBus(Vertx vertx, FanoutConfig config) {
    this.vertx = vertx;
    this.config = config;
    try {
      vertx.eventBus().registerCodec(TickBatch.CODEC);
    } catch (IllegalStateException alreadyRegistered) {
      // Another node in this Vert.x instance registered it: the codec is stateless, share it.
    }
  }

  /** The local event-bus address the dispatchers consume. */
  String address() {
    return address;
  }

  @Override
  public FanoutConfig config() {
    return config;
  }

  @Override
  public void publish(List<EncodedTick> batch) {
    vertx.eventBus().publish(address, new TickBatch(batch), LOCAL);
  }
}
