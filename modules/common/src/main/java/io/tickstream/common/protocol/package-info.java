/** Binance's live control messages: the one place for their parsing, validation, replies, error codes and texts. */
package io.tickstream.common.protocol;
