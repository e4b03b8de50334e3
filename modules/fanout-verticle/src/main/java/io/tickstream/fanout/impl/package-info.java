/**
 * The fanout's machinery, in layers that depend one way (each on the ones below it only):
 * <ol>
 *   <li>tick source: one Kafka thread ({@link io.tickstream.fanout.impl.TickSource}) hands encoded batches to a
 *       {@link io.tickstream.fanout.impl.TickBatchSink} (the node, {@link io.tickstream.fanout.impl.FanoutNode});</li>
 *   <li>per-loop routing and snapshot: one {@link io.tickstream.fanout.impl.LoopDispatcher} per event loop;</li>
 *   <li>sessions and their protocol: {@link io.tickstream.fanout.impl.ClientSession} (which sees routing only as a
 *       {@link io.tickstream.fanout.impl.SubscriptionRouter}), its {@link io.tickstream.fanout.impl.ConflatingSender}
 *       and the loop's shared {@link io.tickstream.fanout.impl.SendLoop} and
 *       {@link io.tickstream.fanout.impl.SendCounters};</li>
 *   <li>transport sinks: {@link io.tickstream.fanout.impl.FrameSink} and its WebSocket and SockJS implementations.</li>
 * </ol>
 * Nothing here is API.
 */
package io.tickstream.fanout.impl;
