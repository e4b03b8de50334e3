package io.tickstream.loadgen.impl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UpdateGapCounterTest {

  @Test
  void firstTickOfASymbolIsTheSnapshotNotAGap() {
    UpdateGapCounter gaps = new UpdateGapCounter(2);
    assertThat(gaps.gap(0, 100)).isEqualTo(UpdateGapCounter.FIRST);
    assertThat(gaps.gap(1, 7)).isEqualTo(UpdateGapCounter.FIRST);
  }

  @Test
  void consecutiveUpdatesSkipNothing() {
    UpdateGapCounter gaps = new UpdateGapCounter(1);
    gaps.gap(0, 100);
    assertThat(gaps.gap(0, 101)).isZero();
    assertThat(gaps.gap(0, 102)).isZero();
  }

  @Test
  void aJumpInUCountsTheConflatedUpdatesPerSymbol() {
    UpdateGapCounter gaps = new UpdateGapCounter(2);
    gaps.gap(0, 100);
    gaps.gap(1, 500);
    assertThat(gaps.gap(0, 105)).isEqualTo(4);
    assertThat(gaps.gap(1, 501)).isZero();
    assertThat(gaps.gap(1, 511)).isEqualTo(9);
  }

  @Test
  void aRepeatOrRegressionIsReportedAndDoesNotMoveTheBaseline() {
    UpdateGapCounter gaps = new UpdateGapCounter(1);
    gaps.gap(0, 100);
    assertThat(gaps.gap(0, 100)).isEqualTo(UpdateGapCounter.NOT_ADVANCED);
    assertThat(gaps.gap(0, 90)).isEqualTo(UpdateGapCounter.NOT_ADVANCED);
    assertThat(gaps.gap(0, 101)).isZero();
  }
}
