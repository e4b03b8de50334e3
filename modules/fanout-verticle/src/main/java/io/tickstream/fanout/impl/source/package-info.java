/**
 * Where ticks come in: the Kafka consumer ({@link io.tickstream.fanout.impl.source.TickSource}: snapshot, readiness, recovery) and the express lane, each tick decoded and encoded once into an {@link io.tickstream.fanout.impl.source.EncodedTick}.
 * Called by the server (which owns its lifecycle); hands batches up only through the {@link io.tickstream.fanout.impl.source.TickBatchSink} it owns. Uses transport (frames) and metrics.
 */
package io.tickstream.fanout.impl.source;
