/**
 * Typed configuration: each role declares its {@link io.tickstream.common.config.Setting}s with documented
 * defaults; {@link io.tickstream.common.config.Config} resolves them from a config file, environment
 * variables and command-line flags, in that order of increasing precedence. Unknown keys and {@code TICKSTREAM_*}
 * variables are refused with the closest known one named, except in another command's namespace.
 */
package io.tickstream.common.config;
