package io.tickstream.common.config;

/** A configuration that cannot be used: unknown flag, unreadable file, value of the wrong type or range. */
public final class ConfigException extends Exception {

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
