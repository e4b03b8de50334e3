/**
 * The fanout's machinery: one Kafka thread ({@link io.tickstream.fanout.impl.TickSource}) feeding one
 * dispatcher per event loop ({@link io.tickstream.fanout.impl.LoopDispatcher}), each connection's conflating
 * sender and Binance control protocol. Nothing here is API.
 */
package io.tickstream.fanout.impl;
