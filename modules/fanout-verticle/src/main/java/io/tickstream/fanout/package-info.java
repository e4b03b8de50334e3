/**
 * The fanout role: reads every partition of {@code book-tickers} and delivers conflated latest-tick
 * snapshots to WebSocket and SockJS clients speaking Binance's market-stream protocol.
 */
package io.tickstream.fanout;
