package io.tickstream.fanout.impl.server;

import io.tickstream.common.config.Config;
import io.tickstream.fanout.FanoutSettings;

/**
 * How many connections a node sheds in one rebalancing round ({@code fanout.rebalance.*}), as plain arithmetic on
 * the connection counts: no clock, no cluster, so every rule is testable on its own.
 *
 * <ul>
 *   <li>A node sheds only when it is above {@code mean × (1 + tolerance)} <em>and</em> more than {@code minExcess}
 *       above the mean; within that the spread is even and shedding stops (no oscillation around the mean).</li>
 *   <li>It sheds at most {@code damping} of its excess (rounded up) and at most {@code maxShare} of its
 *       connections (at least one) per round, and never more than takes it down to the mean.</li>
 * </ul>
 */
public record RebalancePolicy(boolean enabled, long intervalMillis, double tolerance, int minExcess, double maxShare,
                              double damping, long jitterMillis) {

  public static RebalancePolicy of(Config c) {
    return new RebalancePolicy(c.get(FanoutSettings.REBALANCE_ENABLED),
        Math.max(1, c.get(FanoutSettings.REBALANCE_INTERVAL).toMillis()), c.get(FanoutSettings.REBALANCE_TOLERANCE),
        c.get(FanoutSettings.REBALANCE_MIN_EXCESS), c.get(FanoutSettings.REBALANCE_MAX_SHARE),
        c.get(FanoutSettings.REBALANCE_DAMPING), c.get(FanoutSettings.REBALANCE_JITTER).toMillis());
  }

  /** True when {@code own} connections, against the {@code mean}, count as well above it. */
  public boolean above(long own, double mean) {
    return own > mean * (1 + tolerance) && own - mean > minExcess;
  }

  /** Connections to shed this round by a node holding {@code own} of {@code total} over {@code nodes} ready nodes. */
  public int toShed(long own, long total, int nodes) {
    if (nodes < 2 || own <= 0) {
      return 0;
    }
    double mean = (double) total / nodes;
    if (!above(own, mean)) {
      return 0;
    }
    double excess = own - mean;
    long damped = (long) Math.ceil(excess * damping);
    long share = Math.max(1, (long) Math.floor(own * maxShare));
    long downToMean = (long) Math.floor(excess);
    return (int) Math.max(0, Math.min(Math.min(damped, share), downToMean));
  }
}
