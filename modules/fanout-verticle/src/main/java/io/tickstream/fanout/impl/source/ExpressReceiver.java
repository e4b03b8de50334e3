package io.tickstream.fanout.impl.source;

import io.tickstream.common.express.ExpressLane;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.common.tick.MalformedTickException;
import io.tickstream.common.tick.RecordPeek;
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
 * so for an express copy {@code ft - pt} is ingest → event bus → this node (docs/protocol.md). Of a tick's two copies
 * only the first is decoded and encoded: both sources claim it in the node's {@link NewestUpdateIds}, and the second
 * is dropped by the {@code u} read from its bytes ({@link RecordPeek}). The Kafka consumer keeps its own per-symbol
 * state (re-basing, tombstones) and stays the only source of the snapshot; each loop still drops a copy that reaches
 * it behind a newer one ({@code io.tickstream.fanout.impl.loop.LoopDispatcher#isLateCopy}).
 *
 * <p>Registered only once the Kafka snapshot is on every loop ({@link #start} is called after {@link TickSource#ready()}):
 * a batch reaching a loop before its snapshot would otherwise count as the snapshot.
 *
 * <p>Threading: the consumer runs on the context that called {@link #start} (an event loop); per message it decodes
 * and encodes each tick it claims (one {@link EncodedTick} per tick, as the Kafka path) and publishes one local batch.
 */
public final class ExpressReceiver {

  private static final Logger log = LoggerFactory.getLogger(ExpressReceiver.class);

  private final Vertx vertx;
  private final TickBatchSink node;
  private final NodeMetrics metrics;
  private final NewestUpdateIds newest;
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  private final RecordPeek peek = new RecordPeek();
  private MessageConsumer<Buffer> consumer;

  /** @param source the node's Kafka source, whose claims this shares */
  public ExpressReceiver(Vertx vertx, TickBatchSink node, TickSource source, NodeMetrics metrics) {
    this.vertx = vertx;
    this.node = node;
    this.newest = source.newest;
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
    int[] counts = {0, 0}; // received, malformed
    int truncated = ExpressLane.forEachValue(message, (bytes, offset, length) -> {
      counts[0]++;
      if (peek.read(bytes, offset, length) && newest.isLate(peek.symbol, peek.updateId)) {
        metrics.lateCopies.increment();
        return;
      }
      BookTicker tick;
      try {
        tick = BookTickerDecoder.decode(bytes, offset, length);
      } catch (MalformedTickException | RuntimeException e) {
        counts[1]++;
        return;
      }
      if (newest.claim(tick.symbol(), tick.updateId())) {
        batch.add(new EncodedTick(tick, ft, encoder));
      } else {
        metrics.lateCopies.increment();
      }
    });
    int malformed = counts[1] + truncated;
    if (malformed > 0) {
      metrics.malformed.increment(malformed);
    }
    metrics.expressTicks.increment(counts[0]);
    if (!batch.isEmpty()) {
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
