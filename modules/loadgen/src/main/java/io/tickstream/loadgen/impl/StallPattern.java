package io.tickstream.loadgen.impl;

/**
 * Which connections stop reading: a share of them spread evenly over the ramp, so the stalled ones are never
 * bunched on one event loop, one source address or one group of symbols. Connection {@code i} (from 0) stalls
 * when {@code floor((i + 1) * share) > floor(i * share)}: at 1 % that is every 100th (99, 199, ...), at 50 %
 * every second, and exactly {@code floor(n * share)} of the first {@code n}.
 *
 * <p>Computed in parts per million so that 1 % of 100 connections is exactly one, which a double would not
 * guarantee.
 */
public final class StallPattern {

  private static final long MILLION = 1_000_000;
  private final long perMillion;

  /** @param percent share of connections that stall, 0 to 100 */
  public StallPattern(double percent) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("stalled share must be between 0 and 100 percent: " + percent);
    }
    this.perMillion = Math.round(percent * 10_000);
  }

  /** Whether connection {@code i} (0-based, in launch order) stops reading after its first tick. */
  public boolean stalls(long i) {
    return (i + 1) * perMillion / MILLION > i * perMillion / MILLION;
  }

  /** How many of the first {@code n} connections stall. */
  public long among(long n) {
    return n * perMillion / MILLION;
  }
}
