package io.tickstream.fanout.impl.source;

import io.tickstream.common.express.ExpressLane;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The fanout node's end of the express lane ({@link ExpressLane}): ticks the ingest nodes publish on the clustered
 * event bus, handed to this node's loops exactly like a Kafka poll's batch ({@link TickBatchSink#publish}).
 *
 * <p>Encoded once per node, as Kafka's ticks are: {@code ft} is stamped when the express message is handled here,
 * so for an express copy {@code ft - pt} is ingest → event bus → this node (docs/protocol.md). Each loop delivers
 * whichever copy of a tick comes first and drops the other ({@code io.tickstream.fanout.impl.loop.LoopDispatcher#isLateCopy}); the Kafka consumer
 * keeps its own per-symbol state and stays the only source of the snapshot.
 *
 * <p>Registered only once the Kafka snapshot is on every loop ({@link #start} is called after {@link TickSource#ready()}):
 * a batch reaching a loop before its snapshot would otherwise count as the snapshot.
 *
 * <p>Threading: the consumer runs on the context that called {@link #start} (an event loop); per message it decodes
 * and encodes each tick (one {@link EncodedTick} per tick, as the Kafka path) and publishes one local batch.
 */
public final class ExpressReceiver {

  private static final Logger log = LoggerFactory.getLogger(ExpressReceiver.class);

  private final Vertx vertx;
  private final TickBatchSink node;
  private final NodeMetrics metrics;
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  private MessageConsumer<Buffer> consumer;

  public ExpressReceiver(Vertx vertx, TickBatchSink node, NodeMetrics metrics) {
    this.vertx = vertx;
    this.node = node;
    this.metrics = metrics;
  }

  /** Starts consuming; completes once the registration has reached the cluster. */
  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(ExpressLane.ADDRESS, msg -> onMessage(msg.body()));
    return consumer.completion().onSuccess(v -> log.info("Express lane on: taking ticks from {}", ExpressLane.ADDRESS));
  }

  private void onMessage(Buffer message) {
    long ft = NodeMetrics.nowMicros();
    List<EncodedTick> batch = new ArrayList<>(4);
    int malformed = ExpressLane.forEach(message, tick -> batch.add(new EncodedTick(tick, ft, encoder)));
    if (malformed > 0) {
      metrics.malformed.increment(malformed);
    }
    if (!batch.isEmpty()) {
      metrics.expressTicks.increment(batch.size());
      node.publish(batch);
    }
  }

  /** Stops consuming: from then on only Kafka's copies arrive. */
  public Future<Void> stop() {
    MessageConsumer<Buffer> c = consumer;
    consumer = null;
    return c == null ? Future.succeededFuture() : c.unregister();
  }
}
