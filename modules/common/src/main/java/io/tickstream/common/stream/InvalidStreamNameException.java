package io.tickstream.common.stream;

/**
 * A stream name that does not follow the grammar of {@link StreamName}. The message says what is wrong
 * and is fit to show to a client. No stack trace is captured: this is an expected outcome of bad client
 * input, not a bug, and floods of it must stay cheap.
 */
public final class InvalidStreamNameException extends Exception {

  public InvalidStreamNameException(String message) {
    super(message, null, false, false);
  }
}
