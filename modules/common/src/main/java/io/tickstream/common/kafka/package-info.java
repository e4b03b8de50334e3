/**
 * Kafka vocabulary shared by ingest and fanout: the broker connection settings and the
 * {@code book-tickers} topic, created if missing and checked if present.
 */
package io.tickstream.common.kafka;
