/**
 * Stream names: the one place that knows the grammar of {@code btcusdt@bookTicker},
 * {@code btcusdt@bookTicker@100ms} and {@code !bookTicker}.
 */
package io.tickstream.common.stream;
