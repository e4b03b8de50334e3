package io.tickstream.fanout.impl.server;

import io.tickstream.common.cluster.ClusterStatus;
import io.tickstream.fanout.impl.loop.LoopDispatcher;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Evens out long-lived connections after scale-out: every {@code fanout.rebalance.interval} the node compares its
 * connections with the mean over the cluster's fanout nodes (their statuses, {@link ClusterStatus}) and, when well
 * above it ({@link RebalancePolicy}), asks a few of its clients to reconnect, each the drain's way
 * ({@code serverShutdown}, then 1012 at a jittered moment), spread over the event loops by their connection counts.
 * The load balancer sends them to wherever it sends new clients, which after scale-out is the new node.
 *
 * <p>Against oscillation: a round does nothing unless every fanout node in the cluster reports itself ready and not
 * draining (a node starting up or leaving distorts the mean, and a leaving node's clients are about to land
 * somewhere anyway), nor while clients this node shed are still connected,
 * nor for {@link #SETTLE_MILLIS} after the last of them closed (until the statuses show where they went);
 * the policy sheds at most a damped part of the excess, never below the mean, and stops within the tolerance.
 * A status without {@code ready} (a node of an older version) counts as not ready.
 *
 * <p>Threading: created, run and closed on the fanout verticle's context; each loop sheds its share on its own loop.
 */
public final class Rebalancer {

  private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);
  /**
   * How long after the last shed connection closed the next round waits: statuses are published every second, so two
   * intervals later every node's published count includes the clients that moved (and reconnected within a second).
   */
  static final long SETTLE_MILLIS = 2 * ClusterStatus.DEFAULT_INTERVAL.toMillis();

  private final Vertx vertx;
  private final FanoutNode node;
  private final ClusterStatus status;
  private final RebalancePolicy policy;
  private final long timer;
  private final long seedBase;
  private final String address;
  private long round;
  private boolean shedding;

  private Rebalancer(Vertx vertx, FanoutNode node, ClusterStatus status, RebalancePolicy policy, String address) {
    this.address = address;
    this.vertx = vertx;
    this.node = node;
    this.status = status;
    this.policy = policy;
    this.seedBase = status.nodeId().hashCode();
    this.timer = vertx.setPeriodic(policy.intervalMillis(), id -> round());
  }

  /** Starts the rounds; on the verticle's context. */
  public static Rebalancer start(Vertx vertx, FanoutNode node, ClusterStatus status, RebalancePolicy policy,
                                 String address) {
    return new Rebalancer(vertx, node, status, policy, address);
  }

  /** One round (package-private: for tests). */
  void round() {
    round++;
    if (!node.ready()) {
      return; // not ready or draining: this node's clients are not the ones to move
    }
    long inFlight = 0;
    for (LoopDispatcher d : node.dispatchers()) {
      inFlight += d.sheddingCount;
    }
    long sinceLastClose = System.currentTimeMillis() - lastShedClosed();
    if (inFlight > 0 || sinceLastClose < SETTLE_MILLIS) {
      log.debug("Rebalance round {} at {}: {} shed connections still open, last closed {} ms ago, waiting", round,
          address, inFlight, sinceLastClose);
      return;
    }
    List<JsonObject> fanouts = status.members().getJsonArray("members").stream().map(JsonObject.class::cast)
        .filter(m -> "fanout".equals(m.getString("role"))).toList();
    long own = node.metrics.connections();
    long total = own;
    for (JsonObject m : fanouts) {
      if (!Boolean.TRUE.equals(m.getBoolean("ready")) || Boolean.TRUE.equals(m.getBoolean("draining"))) {
        log.debug("Rebalance round {} at {}: fanout node {} is not ready or draining, waiting", round, address,
            m.getString("address"));
        return;
      }
      if (!status.nodeId().equals(m.getString("node"))) {
        total += m.getLong("connections", 0L);
      }
    }
    int nodes = fanouts.size();
    int count = policy.toShed(own, total, nodes);
    double mean = nodes == 0 ? own : (double) total / nodes;
    if (count == 0) {
      if (shedding) {
        log.info("Rebalance round {} at {}: {} connections here, mean {} over {} fanout nodes: even, shedding stops",
            round, address, own, String.format("%.1f", mean), nodes);
        shedding = false;
      }
      return;
    }
    shedding = true;
    log.info("Rebalance round {} at {}: {} connections here, mean {} over {} fanout nodes (above {} and by more than {}): "
        + "asking {} to reconnect within {} ms", round, address, own, String.format("%.1f", mean), nodes,
        String.format("%.1f", mean * (1 + policy.tolerance())), policy.minExcess(), count, policy.jitterMillis());
    List<LoopDispatcher> loops = List.copyOf(node.dispatchers());
    int[] shares = shares(loops, count);
    for (int i = 0; i < loops.size(); i++) {
      LoopDispatcher d = loops.get(i);
      int share = shares[i];
      long seed = seedBase * 31 * 31 + round * 31 + i;
      if (share > 0) {
        d.context.runOnContext(v -> d.shed(share, policy.jitterMillis(), seed));
      }
    }
  }

  private long lastShedClosed() {
    long last = 0;
    for (LoopDispatcher d : node.dispatchers()) {
      last = Math.max(last, d.lastShedClosedMillis);
    }
    return last;
  }

  /** {@code count} spread over the loops by their connections not already shed: one at a time to the fullest. */
  static int[] shares(List<LoopDispatcher> loops, int count) {
    long[] left = new long[loops.size()];
    for (int i = 0; i < left.length; i++) {
      left[i] = loops.get(i).connectionCount() - loops.get(i).sheddingCount;
    }
    int[] shares = new int[left.length];
    for (int k = 0; k < count; k++) {
      int max = -1;
      for (int i = 0; i < left.length; i++) {
        if (left[i] > 0 && (max < 0 || left[i] > left[max])) {
          max = i;
        }
      }
      if (max < 0) {
        break;
      }
      shares[max]++;
      left[max]--;
    }
    return shares;
  }

  /** Stops the rounds; clients already asked still get their 1012. On the verticle's context. */
  public void close() {
    vertx.cancelTimer(timer);
  }
}
