package io.tickstream.fanout.impl.metrics;

/**
 * What one event loop's routing reports to the metrics: plain values written by that loop only and read racily at
 * scrape time, so the hot path pays no atomic operation. The metrics own this interface and see a loop through it
 * only; the loop's dispatcher implements it.
 */
public interface LoopStats {

  /** Open connections on this loop. */
  long connectionCount();

  /** Stream subscriptions on this loop. */
  long subscriptionCount();

  /** Tick copies dropped because their {@code u} was not above the last the loop delivered. */
  long lateCopies();

  /** Connections asked to reconnect elsewhere by rebalancing. */
  long rebalanced();

  /** What the loop's senders and transports count. */
  SendCounters counters();
}
