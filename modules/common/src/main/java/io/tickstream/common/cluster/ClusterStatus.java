package io.tickstream.common.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What every node of the cluster is doing: each node publishes a small JSON status on the clustered event bus
 * address {@link #ADDRESS} every {@code interval}, and keeps the latest status of every node (itself included)
 * for {@code GET /cluster}.
 *
 * <p>A status is {@code {"node":..., "role":..., "address":"host:port", "at":epochMillis, ...details}}, where
 * {@code node} is the cluster node id (a random id when Vert.x is not clustered) and the details come from the
 * role (connections, subscriptions, ticks/s for a fanout node; symbols, ticks/s acked, ready for an ingest).
 * Several roles may share one node (the local stack): entries are keyed by node and role.
 *
 * <p>A node is dropped as soon as Hazelcast reports it left, or when its last status is older than
 * {@link #STALE_INTERVALS} intervals (a node that hangs, or a cluster manager without membership events).
 *
 * <p>Threading: create and {@link #close()} on a Vert.x context (a verticle's start and stop); the timer and
 * the event-bus consumer then run on that context, and {@code details} is called there, so it must not block.
 * {@link #members()} may be called from any thread.
 */
public final class ClusterStatus {

  /** The clustered event-bus address statuses are published to. */
  public static final String ADDRESS = "tickstream.cluster.status";
  /** How many intervals without a status make a node disappear. */
  public static final int STALE_INTERVALS = 3;
  /** The publishing period role processes use. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  /** The Hazelcast member attribute vertx-hazelcast stores the Vert.x node id in. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  private final Vertx vertx;
  private final String nodeId;
  private final String role;
  private final String address;
  private final Supplier<JsonObject> details;
  private final long intervalMillis;
  private final Map<String, JsonObject> latest = new ConcurrentHashMap<>();
  private final MessageConsumer<JsonObject> consumer;
  private final long timer;
  private final UUID membershipRegistration;
  private final HazelcastClusterManager hazelcast;

  private ClusterStatus(Vertx vertx, String role, String address, Duration interval, Supplier<JsonObject> details) {
    this.vertx = vertx;
    this.role = role;
    this.address = address;
    this.details = details;
    this.intervalMillis = Math.max(1, interval.toMillis());
    ClusterManager cm = vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
    this.nodeId = cm != null ? cm.getNodeId() : UUID.randomUUID().toString();
    this.hazelcast = cm instanceof HazelcastClusterManager h && h.getHazelcastInstance() != null ? h : null;
    this.membershipRegistration = hazelcast == null ? null
        : hazelcast.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
          @Override
          public void memberAdded(MembershipEvent event) {
          }

          @Override
          public void memberRemoved(MembershipEvent event) {
            // Vert.x's node id is a member attribute of its own, not the Hazelcast member UUID.
            String node = event.getMember().getAttribute(VERTX_NODE_ID);
            forget(node != null ? node : event.getMember().getUuid().toString());
          }
        });
    this.consumer = vertx.eventBus().consumer(ADDRESS, msg -> {
      JsonObject status = msg.body();
      latest.put(status.getString("node") + "/" + status.getString("role"), status);
    });
    this.timer = vertx.setPeriodic(1, intervalMillis, id -> publishNow());
  }

  /**
   * Starts publishing this node's status every {@code interval} and collecting the others'.
   *
   * @param role    {@code fanout} or {@code ingest}
   * @param address where this role serves, {@code host:port}
   * @param details the role's figures, called on the calling context once per interval; must not block
   */
  public static ClusterStatus start(Vertx vertx, String role, String address, Duration interval,
                                    Supplier<JsonObject> details) {
    return new ClusterStatus(vertx, role, address, interval, details);
  }

  /** This node's cluster id. */
  public String nodeId() {
    return nodeId;
  }

  /** Publishes this node's status now, as the timer does (package-private: for tests). On the starting context. */
  void publishNow() {
    long now = System.currentTimeMillis();
    latest.values().removeIf(s -> now - s.getLong("at", 0L) > STALE_INTERVALS * intervalMillis);
    JsonObject status = new JsonObject().put("node", nodeId).put("role", role).put("address", address).put("at", now)
        .mergeIn(details.get());
    // Kept at once, so this node lists itself even before its own message comes back.
    latest.put(nodeId + "/" + role, status);
    vertx.eventBus().publish(ADDRESS, status);
  }

  private void forget(String node) {
    latest.keySet().removeIf(k -> k.startsWith(node + "/"));
  }

  /** {@code {"members":[status, ...]}}, ordered by role then address. Any thread. */
  public JsonObject members() {
    long now = System.currentTimeMillis();
    JsonArray members = new JsonArray();
    latest.values().stream()
        .filter(s -> now - s.getLong("at", 0L) <= STALE_INTERVALS * intervalMillis)
        .sorted(Comparator.<JsonObject, String>comparing(s -> s.getString("role")).thenComparing(s -> s.getString("address")))
        .forEach(members::add);
    return new JsonObject().put("members", members);
  }

  /** The node ids currently listed. Any thread. */
  public Set<String> nodes() {
    return Set.copyOf(members().getJsonArray("members").stream().map(o -> ((JsonObject) o).getString("node")).toList());
  }

  /** Stops publishing and collecting. Call on the context that started it. */
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    if (membershipRegistration != null && hazelcast.getHazelcastInstance().getLifecycleService().isRunning()) {
      hazelcast.getHazelcastInstance().getCluster().removeMembershipListener(membershipRegistration);
    }
    return consumer.unregister();
  }
}
