package io.tickstream.common.tick;

/**
 * Input that is not a valid book ticker. The message names the reason (and, for JSON syntax errors, the
 * position) and is short enough to log or count by. No stack trace is captured: malformed frames are an
 * expected input, and a flood of them must stay cheap.
 */
public final class MalformedTickException extends Exception {

  private final Reason reason;

  public MalformedTickException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** Coarse cause, for metrics tags: a bounded set, unlike the message. */
  public Reason reason() {
    return reason;
  }

  /** Why an input was rejected, coarse enough to be a metrics tag. */
  public enum Reason {
    /** Not JSON, or JSON cut short. */
    INVALID_JSON,
    /** Larger than {@link BookTickerDecoder#MAX_FRAME_BYTES}. */
    OVERSIZED,
    /** Valid JSON, but not an object with the book ticker's fields. */
    NOT_A_TICK,
    /** A required field is absent. */
    MISSING_FIELD,
    /** A field has the wrong JSON type or an impossible value. */
    INVALID_FIELD
  }
}
