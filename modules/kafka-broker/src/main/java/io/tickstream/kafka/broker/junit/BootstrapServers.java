package io.tickstream.kafka.broker.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code String} test or lifecycle method parameter that {@link KafkaBrokerExtension} fills with the shared
 * broker's {@code bootstrap.servers}. The annotation is needed because a bare {@code String} parameter is ambiguous
 * and other resolvers may claim it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface BootstrapServers {
}
