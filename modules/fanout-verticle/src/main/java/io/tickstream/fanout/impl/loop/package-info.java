/**
 * Per event loop routing: one {@link io.tickstream.fanout.impl.loop.LoopDispatcher} per loop maps symbols to subscriptions, keeps the loop's snapshot, drops late copies, drives the flush pass, opens, pings, drains and sheds sessions.
 * Called by the server only; uses session, source, transport and metrics, and reports to the metrics as a {@link io.tickstream.fanout.impl.metrics.LoopStats}.
 */
package io.tickstream.fanout.impl.loop;
