/**
 * Frames to sockets and back: the encoded {@link io.tickstream.fanout.impl.transport.Frame}, WebSocket on our own channel pipeline, WebSocket on Vert.x, SockJS, and the outbound and unsent-bytes bounds.
 * Called by session, loop and server; calls up only through the {@link io.tickstream.fanout.impl.transport.Inbound} it owns. Uses metrics (counters, close reasons) only.
 */
package io.tickstream.fanout.impl.transport;
