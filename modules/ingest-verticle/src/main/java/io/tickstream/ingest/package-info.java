/**
 * The ingest role: connects to Binance (or the exchange simulator), stamps each book ticker with its
 * receive time and writes it to the {@code book-tickers} Kafka topic keyed by symbol.
 */
package io.tickstream.ingest;
