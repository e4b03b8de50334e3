package io.tickstream.simulator;

import io.vertx.core.Future;

import java.time.Duration;

/**
 * Failures a Binance client must survive, injected on demand. The same operations are served over HTTP
 * under {@code /sim/faults/...}.
 *
 * <p>Every method may be called from any thread; the work runs on the simulator's context and the returned
 * future completes there once it is done (for counts: the number of connections affected).
 */
public interface SimulatorFaults {

  /** Kinds of broken frames {@link #sendMalformedFrames} interleaves into live streams. */
  enum MalformedFrame {
    /** Text that is not JSON at all. */
    GARBAGE,
    /** A real tick cut off mid-way. */
    TRUNCATED_JSON,
    /** Valid JSON with the right keys and wrong value types ({@code "u":"abc"}, {@code "b":25.3}). */
    WRONG_TYPE
  }

  /** Closes every open connection's TCP socket without a WebSocket close frame. */
  Future<Integer> dropConnections();

  /** Stops sending ticks and pings to every open connection, without closing it (a silent stream). */
  Future<Integer> stallConnections();

  /** Resumes stalled connections; their ping and pong clocks restart. */
  Future<Integer> resumeConnections();

  /** Each open connection receives {@code count} frames of {@code kind}, one after each of its next ticks. */
  Future<Integer> sendMalformedFrames(int count, MalformedFrame kind);

  /** While on, every WebSocket upgrade is answered HTTP 503. */
  Future<Void> refuseConnections(boolean refuse);

  /** Sets the maximum connection lifetime, for open connections too (those older are closed at once). */
  Future<Void> maxLifetime(Duration lifetime);
}
