package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickstream.common.express.ExpressLane;
import io.tickstream.ingest.IngestMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * One chunk's side of the express lane ({@link ExpressLane}): every tick its sender hands to Kafka is also
 * published, once per event-loop turn, on the clustered event bus to the fanout nodes.
 *
 * <p>Why one message per turn and not per tick: an event-bus message to another node is a TCP write and a task on
 * the receiving node, so its count, not its size, is the cost. The first tick of a turn schedules the publish as a
 * task on the chunk's context, which runs after the frames of the current network read are handled; every tick
 * of that read rides in the same message. At 1,000 ticks/s over a few chunks that is mostly one tick per message;
 * at high rates, many.
 *
 * <p>Only what the sender really sends is published: never a tick while the sender is held during a handover,
 * never a {@code u} at or below the previous owner's floor, never a delisted symbol. So the express lane keeps the
 * same per-symbol order as the topic. A tick Kafka later rejects has still been delivered by the express lane: see
 * the README ("The express lane").
 *
 * <p>Threading: {@link #offer} on the chunk's context only.
 */
final class ExpressPublisher {

  private final Vertx vertx;
  private final Context context;
  private final Counter published;
  private final Counter messages;
  private Buffer message;

  ExpressPublisher(Vertx vertx, Context context, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = context;
    this.published = registry.counter(IngestMetrics.EXPRESS_TICKS);
    this.messages = registry.counter(IngestMetrics.EXPRESS_MESSAGES);
  }

  /** Adds one tick's record value to this turn's message. */
  void offer(byte[] recordValue) {
    if (message == null) {
      message = Buffer.buffer(recordValue.length * 2 + 16);
      context.runOnContext(v -> publish());
    }
    ExpressLane.append(message, recordValue);
    published.increment();
  }

  private void publish() {
    Buffer m = message;
    message = null;
    if (m != null) {
      vertx.eventBus().publish(ExpressLane.ADDRESS, m);
      messages.increment();
    }
  }
}
