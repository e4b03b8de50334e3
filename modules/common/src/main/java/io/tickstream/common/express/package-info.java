/** The express lane: ticks sent from the ingest straight to the fanout nodes over the clustered event bus, beside Kafka. */
package io.tickstream.common.express;
