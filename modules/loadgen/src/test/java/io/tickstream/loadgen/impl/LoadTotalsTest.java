package io.tickstream.loadgen.impl;

import io.tickstream.loadgen.LoadReport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The steady state: what the lanes record before it starts (ramp, settle) is in the run's totals only. */
class LoadTotalsTest {

  private final Lane lane = new Lane(l -> { });
  private final LoadTotals totals = new LoadTotals(List.of(lane));

  @Test
  void samplesBeforeTheSteadyStateStartsAreInTheRunButNotInTheSteadyState() {
    lane.stats.latency.recordValue(5_000);
    lane.stats.ticks.add(10);
    totals.progressLine(1.0);                 // a progress line during the ramp drains its samples
    lane.stats.latency.recordValue(4_000);    // recorded during the settle period, not drained yet
    lane.stats.ticks.add(20);
    totals.steadyStart(2.0);
    lane.stats.latency.recordValue(100);
    lane.stats.ticks.add(30);

    assertThat(totals.mergeLatency().getTotalCount()).isEqualTo(3);
    assertThat(totals.steadyLatency().getTotalCount()).isEqualTo(1);
    assertThat(totals.steadyLatency().getMaxValue()).isBetween(100L, 101L);
    LoadReport.Steady steady = totals.steady(60, 5.0);
    assertThat(steady.seconds()).isEqualTo(3.0);
    assertThat(steady.ticks()).isEqualTo(30);
    assertThat(steady.ticksPerSecond()).isEqualTo(10.0);
  }

  @Test
  void aRunThatEndsBeforeTheSteadyStateHasNone() {
    lane.stats.latency.recordValue(5_000);
    lane.stats.ticks.add(10);

    assertThat(totals.mergeLatency().getTotalCount()).isEqualTo(1);
    assertThat(totals.steadyLatency().getTotalCount()).isZero();
    assertThat(totals.steady(10, 3.0)).isEqualTo(new LoadReport.Steady(0, 0));
  }
}
