package io.tickstream.fanout.impl;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the server instances of one node share: the configuration, the meters, the dispatchers (one per event
 * loop), the node-wide connection count and the lifecycle flags. Thread-safe.
 */
public final class FanoutNode {

  final FanoutConfig config;
  final NodeMetrics metrics;
  final List<LoopDispatcher> dispatchers = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean draining;
  private volatile TickSource source;

  public FanoutNode(FanoutConfig config, NodeMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  /** Hands one batch of ticks to every dispatcher; called on the Kafka thread. */
  public void publish(List<EncodedTick> batch) {
    for (LoopDispatcher d : dispatchers) {
      d.publish(batch);
    }
  }

  public void source(TickSource source) {
    this.source = source;
  }

  /** Ready: the snapshot is rebuilt and on every loop, Kafka is being followed, and the node is not draining. */
  public boolean ready() {
    TickSource s = source;
    if (draining || s == null || !s.following() || dispatchers.isEmpty()) {
      return false;
    }
    for (LoopDispatcher d : dispatchers) {
      if (!d.hasSnapshot()) {
        return false;
      }
    }
    return true;
  }

  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }

  /** Reserves a connection slot; false at {@code fanout.max-connections}. */
  boolean tryAcquireConnection() {
    while (true) {
      int n = connections.get();
      if (n >= config.maxConnections()) {
        return false;
      }
      if (connections.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void releaseConnection() {
    connections.decrementAndGet();
  }
}
