package io.tickstream.fanout.impl.server;

import io.tickstream.common.config.Config;
import io.tickstream.fanout.FanoutSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How many connections a round sheds, with the default knobs unless a test says otherwise. */
class RebalancePolicyTest {

  private final RebalancePolicy defaults = RebalancePolicy.of(Config.defaults(FanoutSettings.ALL));

  @Test
  void defaultsAreOnWithTenPercentFiftyConnectionsOnePercentHalfTheExcess() {
    assertThat(defaults).isEqualTo(new RebalancePolicy(true, 5_000, 0.1, 50, 0.01, 0.5, 2_000));
  }

  @Test
  void twoFullNodesAndANewOneShedAtMostOnePercentPerRound() {
    // 18,000 + 18,000 + 0: mean 12,000, excess 6,000, half of it 3,000, 1 % of 18,000 = 180.
    assertThat(defaults.toShed(18_000, 36_000, 3)).isEqualTo(180);
  }

  @Test
  void withinTheToleranceOrTheMinimumExcessNothingIsShed() {
    assertThat(defaults.toShed(10_999, 30_000, 3)).as("within 10 %% of 10,000").isZero();
    assertThat(defaults.toShed(300, 600, 3)).as("100 above a mean of 200: over 10 %% and over 50").isPositive();
    assertThat(defaults.toShed(240, 480, 3)).as("80 above a mean of 160: over 10 %% and over 50").isPositive();
    assertThat(defaults.toShed(90, 120, 3)).as("50 above a mean of 40: 125 %% over, but not more than 50").isZero();
  }

  @Test
  void aRoundShedsAtMostTheDampedExcessAndNeverBelowTheMean() {
    RebalancePolicy eager = new RebalancePolicy(true, 1_000, 0.1, 2, 1.0, 0.5, 100);
    assertThat(eager.toShed(30, 60, 3)).as("half of the excess of 10").isEqualTo(5);
    RebalancePolicy undamped = new RebalancePolicy(true, 1_000, 0.1, 2, 1.0, 1.0, 100);
    assertThat(undamped.toShed(30, 60, 3)).as("down to the mean of 20, not below").isEqualTo(10);
    assertThat(undamped.toShed(31, 61, 3)).as("mean 20.3: 10, not 11").isEqualTo(10);
  }

  @Test
  void aTinyShareStillShedsOneConnectionPerRound() {
    RebalancePolicy slow = new RebalancePolicy(true, 1_000, 0.1, 2, 0.001, 0.5, 100);
    assertThat(slow.toShed(30, 60, 3)).isEqualTo(1);
  }

  @Test
  void aLoneNodeOrAnEmptyOneShedsNothing() {
    assertThat(defaults.toShed(18_000, 18_000, 1)).isZero();
    assertThat(defaults.toShed(0, 36_000, 3)).isZero();
  }
}
