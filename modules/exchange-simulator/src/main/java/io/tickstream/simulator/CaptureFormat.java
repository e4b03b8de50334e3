package io.tickstream.simulator;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The capture file format: what the ingest writes with {@code --record FILE} and the simulator replays with
 * {@code simulator.replay-file}.
 *
 * <p>UTF-8 text, one JSON object per line, one line per WebSocket text frame received from the exchange, in
 * receive order:
 * <pre>
 * {"rt":1764180000123456,"frame":"{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",...}"}
 * </pre>
 * <ul>
 *   <li>{@code rt}: receive time, microseconds since the epoch (the {@code pt} the ingest stamps);</li>
 *   <li>{@code frame}: the frame text exactly as received, as a JSON string: raw payloads, combined
 *       envelopes, {@code serverShutdown} events, control replies and malformed frames alike.</li>
 * </ul>
 * Blank lines are ignored; other keys are ignored, so writers may add some. Stateless and thread-safe.
 */
public final class CaptureFormat {

  /** One captured frame. */
  public record Entry(long receiveTimeMicros, String frame) {
  }

  private CaptureFormat() {
  }

  /** The line (without a line break) recording {@code frame} received at {@code receiveTimeMicros}. */
  public static String line(long receiveTimeMicros, String frame) {
    return new JsonObject().put("rt", receiveTimeMicros).put("frame", frame).encode();
  }

  /**
   * Parses one line.
   *
   * @throws IllegalArgumentException if the line is not such an object
   */
  public static Entry parse(String line) {
    try {
      JsonObject json = new JsonObject(line);
      if (!(json.getValue("rt") instanceof Number rt) || !(json.getValue("frame") instanceof String frame)) {
        throw new IllegalArgumentException("expected {\"rt\":<micros>,\"frame\":\"<text>\"}");
      }
      return new Entry(rt.longValue(), frame);
    } catch (DecodeException e) {
      throw new IllegalArgumentException("not a JSON object: " + e.getMessage(), e);
    }
  }
}
