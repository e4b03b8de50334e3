/**
 * The node's meters ({@link io.tickstream.fanout.impl.metrics.NodeMetrics}), the per-loop plain counters and close reasons every stage writes, and the ft-to-flush histogram.
 * Used by every stage; imports none: it reads the loops only through the {@link io.tickstream.fanout.impl.metrics.LoopStats} it owns.
 */
package io.tickstream.fanout.impl.metrics;
