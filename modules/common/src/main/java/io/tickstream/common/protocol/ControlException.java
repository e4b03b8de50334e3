package io.tickstream.common.protocol;

/**
 * A control request Binance would refuse, carrying the error reply to send
 * ({@code {"error":{"code":2,"msg":"Invalid request: ..."},"id":1}}). No stack trace is captured: this is an
 * expected outcome of bad client input, not a bug, and floods of it must stay cheap. Immutable.
 */
public final class ControlException extends Exception {

  private final int code;
  private final transient Object id;

  /**
   * @param code one of the codes in {@link ControlReplies}
   * @param msg  Binance's message text
   * @param id   the request id to echo, or null when the request had none or an invalid one
   */
  public ControlException(int code, String msg, Object id) {
    super(msg, null, false, false);
    this.code = code;
    this.id = id;
  }

  /** Binance's error code, 0 to 3. */
  public int code() {
    return code;
  }

  /** The id the reply echoes: a {@link Long}, {@link Integer}, {@link String} or null. */
  public Object id() {
    return id;
  }

  /** The encoded error reply to send to the client. */
  public String reply() {
    return ControlReplies.error(code, getMessage(), id);
  }
}
