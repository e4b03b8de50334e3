package io.tickstream.common.config;

/**
 * A configuration that cannot be used: unknown flag, key or {@code TICKSTREAM_*} variable, unreadable file, value of
 * the wrong type or range. The message is one line, for a command to print before exiting with 2.
 */
public final class ConfigException extends Exception {

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
