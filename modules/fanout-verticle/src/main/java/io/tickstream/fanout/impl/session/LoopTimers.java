package io.tickstream.fanout.impl.session;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * The clock and one-shot timers of one event loop, as the senders use them: their throttle intervals and the
 * slow-client grace period. An interface so that {@link ConflatingSender}'s contract can be tested against a clock
 * the test moves, without waiting for real time.
 *
 * <p>Threading: called on the event loop only; handlers run on it too.
 */
public interface LoopTimers {

  /** Wall-clock milliseconds. */
  long nowMillis();

  /** Runs {@code handler} once, {@code delayMillis} (≥ 1) from now, on this loop; returns the timer's id. */
  long setTimer(long delayMillis, Handler<Long> handler);

  /** Cancels a timer set by {@link #setTimer}; nothing if it already ran. */
  void cancelTimer(long id);

  /** Vert.x's timers on the calling context (a verticle's event loop) and the system clock. */
  static LoopTimers of(Vertx vertx) {
    return new LoopTimers() {
      @Override
      public long nowMillis() {
        return System.currentTimeMillis();
      }

      @Override
      public long setTimer(long delayMillis, Handler<Long> handler) {
        return vertx.setTimer(delayMillis, handler);
      }

      @Override
      public void cancelTimer(long id) {
        vertx.cancelTimer(id);
      }
    };
  }
}
