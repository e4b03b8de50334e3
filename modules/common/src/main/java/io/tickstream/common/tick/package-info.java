/**
 * The book ticker and its wire forms: Binance JSON in, the Kafka record value, and the frames sent to
 * clients (raw and combined). Decoding and encoding here sit on the hot path of every role.
 */
package io.tickstream.common.tick;
