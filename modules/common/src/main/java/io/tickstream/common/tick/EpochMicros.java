package io.tickstream.common.tick;

import java.time.Instant;

/**
 * Wall-clock time in microseconds since the epoch: the unit of the latency stamps {@code pt} and {@code ft}.
 * Stamps are compared across machines, so this is wall-clock time, not {@link System#nanoTime()}.
 */
public final class EpochMicros {

  private EpochMicros() {
  }

  /** Now, µs since the epoch, at the resolution the OS clock gives (µs on Linux). */
  public static long now() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
