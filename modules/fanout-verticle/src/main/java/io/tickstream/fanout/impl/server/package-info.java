/**
 * The node and its front door: {@link io.tickstream.fanout.impl.server.FanoutNode}, the HTTP server, WebSocket upgrade and handshake, admission, TLS, the ticker board and rebalancing.
 * Called by the verticle only; the top stage, it may use every other one.
 */
package io.tickstream.fanout.impl.server;
