package io.tickstream.fanout.impl.source;

import io.tickstream.fanout.impl.FanoutConfig;

import java.util.List;

/**
 * Where a tick source hands its accepted, encoded ticks: one call per Kafka poll (and one for the snapshot). The
 * node's tick bus ({@code io.tickstream.fanout.impl.server.TickBus}) implements it by publishing to its loops, so the
 * source depends on this, not on the node, and the node alone knows its sources.
 *
 * <p>Threading: called on the source's own thread; implementations must hand the batch over without blocking.
 */
public interface TickBatchSink {

  /** The node's settings, including the source's recovery settings. */
  FanoutConfig config();

  /** Hands one batch to every event loop; the list is never modified afterwards. */
  void publish(List<EncodedTick> batch);
}
