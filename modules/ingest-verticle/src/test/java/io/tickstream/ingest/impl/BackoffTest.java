package io.tickstream.ingest.impl;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

  @Test
  void ceilingDoublesPerAttemptUpToTheMaximum() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    assertThat(backoff.ceilingMillis(0)).isEqualTo(100);
    assertThat(backoff.ceilingMillis(1)).isEqualTo(200);
    assertThat(backoff.ceilingMillis(5)).isEqualTo(3_200);
    assertThat(backoff.ceilingMillis(6)).isEqualTo(5_000);
    assertThat(backoff.ceilingMillis(61)).isEqualTo(5_000);
    assertThat(backoff.ceilingMillis(200)).isEqualTo(5_000);
  }

  @Test
  void delaysAreFullJitterWithinTheCeiling() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    long max = 0;
    for (int i = 0; i < 1_000; i++) {
      long ceiling = backoff.ceilingMillis(backoff.attempts());
      long delay = backoff.nextDelayMillis();
      assertThat(delay).isBetween(0L, ceiling);
      max = Math.max(max, delay);
    }
    assertThat(max).as("jitter reaches toward the ceiling").isGreaterThan(2_500);
  }

  @Test
  void resetStartsOverAfterAHealthyConnection() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    for (int i = 0; i < 10; i++) {
      backoff.nextDelayMillis();
    }
    backoff.reset();
    assertThat(backoff.attempts()).isZero();
    assertThat(backoff.nextDelayMillis()).isLessThanOrEqualTo(100);
  }
}
