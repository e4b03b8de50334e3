/**
 * Typed configuration: each role declares its {@link io.tickstream.common.config.Setting}s with documented
 * defaults; {@link io.tickstream.common.config.Config} resolves them from a config file, environment
 * variables and command-line flags, in that order of increasing precedence.
 */
package io.tickstream.common.config;
