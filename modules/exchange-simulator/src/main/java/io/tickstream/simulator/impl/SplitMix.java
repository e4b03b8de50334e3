package io.tickstream.simulator.impl;

/**
 * SplitMix64 steps on a plain {@code long} state: a per-symbol random stream that costs one field and no
 * allocation, so the n-th tick of a symbol depends only on the seed and n.
 */
final class SplitMix {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private SplitMix() {
  }

  /** Advances a state by one step. */
  static long advance(long state) {
    return state + GOLDEN;
  }

  /** The output for a state (call after {@link #advance}). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A seed for a named stream derived from a root seed; stable across JVMs (String.hashCode is specified). */
  static long derive(long seed, String name) {
    return mix(seed ^ mix(name.hashCode() * GOLDEN + name.length()));
  }

  /** Uniform double in [0, 1) from 53 bits of {@code random}. */
  static double unit(long random) {
    return (random >>> 11) * 0x1.0p-53;
  }
}
