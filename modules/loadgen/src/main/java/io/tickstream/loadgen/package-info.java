/**
 * The load generator: many WebSocket or SockJS clients of a tickstream node, over loopback only, measuring
 * end-to-end latency ({@code now - pt}), messages/s and conflation. Talks to the node over the wire only.
 */
package io.tickstream.loadgen;
