/**
 * A JUnit 5 extension that shares one Kafka broker across every test class of a run; needs junit-jupiter-api on the
 * classpath, which this module declares optional.
 */
package io.tickstream.kafka.broker.junit;
