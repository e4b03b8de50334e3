package io.tickstream.loadgen.impl;

import org.junit.jupiter.api.Test;

import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StallPatternTest {

  @Test
  void onePercentIsEveryHundredthConnection() {
    StallPattern p = new StallPattern(1);
    assertThat(LongStream.range(0, 1000).filter(p::stalls).toArray()).containsExactly(99, 199, 299, 399, 499, 599,
        699, 799, 899, 999);
    assertThat(p.among(1000)).isEqualTo(10);
    assertThat(p.among(99)).isZero();
  }

  @Test
  void halfIsEverySecondConnection() {
    StallPattern p = new StallPattern(50);
    assertThat(LongStream.range(0, 10).filter(p::stalls).toArray()).containsExactly(1, 3, 5, 7, 9);
    assertThat(p.among(10)).isEqualTo(5);
  }

  @Test
  void theCountAlwaysMatchesTheConnectionsThatStall() {
    for (double percent : new double[]{0, 0.5, 1, 3.3, 12.5, 33, 99.9, 100}) {
      StallPattern p = new StallPattern(percent);
      for (long n : new long[]{1, 7, 100, 1000, 20_000}) {
        assertThat(LongStream.range(0, n).filter(p::stalls).count()).as("%s%% of %d", percent, n)
            .isEqualTo(p.among(n));
      }
    }
  }

  @Test
  void noneAndAllAreTheEnds() {
    assertThat(LongStream.range(0, 1000).noneMatch(new StallPattern(0)::stalls)).isTrue();
    assertThat(LongStream.range(0, 1000).allMatch(new StallPattern(100)::stalls)).isTrue();
    assertThatThrownBy(() -> new StallPattern(101)).isInstanceOf(IllegalArgumentException.class);
  }
}
