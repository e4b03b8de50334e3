package io.tickstream.ingest.impl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionBudgetTest {

  @Test
  void allowsAtMostTheLimitPerSlidingWindow() {
    ConnectionBudget budget = new ConnectionBudget(3, 1_000);
    assertThat(budget.tryAcquire(0)).isZero();
    assertThat(budget.tryAcquire(100)).isZero();
    assertThat(budget.tryAcquire(200)).isZero();
    assertThat(budget.tryAcquire(300)).as("wait until the first attempt leaves the window").isEqualTo(700);
    assertThat(budget.attemptsInWindow(300)).isEqualTo(3);
    assertThat(budget.tryAcquire(1_000)).isZero();
    assertThat(budget.tryAcquire(1_050)).isEqualTo(50);
  }

  @Test
  void retryAfterBlocksEveryAttemptUntilItPasses() {
    ConnectionBudget budget = new ConnectionBudget(300, 300_000);
    budget.blockUntil(5_000);
    assertThat(budget.tryAcquire(1_000)).isEqualTo(4_000);
    budget.blockUntil(2_000);
    assertThat(budget.tryAcquire(1_000)).as("a shorter block never shortens a longer one").isEqualTo(4_000);
    assertThat(budget.tryAcquire(5_000)).isZero();
  }
}
