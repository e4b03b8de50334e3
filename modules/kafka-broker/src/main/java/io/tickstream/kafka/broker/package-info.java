/**
 * A single-node KRaft Kafka broker that runs inside the JVM ({@link io.tickstream.kafka.broker.EmbeddedKafkaBroker}) or as its own process ({@link io.tickstream.kafka.broker.KafkaBrokerMain}).
 */
package io.tickstream.kafka.broker;
