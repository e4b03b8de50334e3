package io.tickstream.ingest.impl;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The ingest nodes of the cluster: which are alive, and which of them take chunks.
 *
 * <p>Each ingest node puts its Vert.x node id in the cluster-wide map {@link #MAP} ({@code active}, or
 * {@code leaving} while it hands its chunks over before stopping). Liveness is Hazelcast's, not ours: an entry
 * counts only while its node is a Hazelcast member, so a killed node drops out the moment Hazelcast removes it
 * (see {@code cluster.max-no-heartbeat}), and every node deletes a removed member's entry from its membership
 * listener. No heartbeat of our own. Nodes announce their own changes on {@link #CHANGED} so the others look
 * again at once; the owner also looks periodically, which covers a lost announcement. A node that finds its own
 * entry missing or stale when it looks (a split brain: the other side deleted it when it lost this member, and
 * the merge kept the other side's map) puts it back.
 *
 * <p>Without a cluster (plain Vert.x) the map is local and this node is the only member.
 *
 * <p>Threading: create, call and close on the ingest's context; {@code onChange} runs there too.
 */
final class IngestMembers {

  private static final Logger log = LoggerFactory.getLogger(IngestMembers.class);

  static final String MAP = "tickstream.ingest.members";
  static final String CHANGED = "tickstream.ingest.members.changed";
  static final String ACTIVE = "active";
  static final String LEAVING = "leaving";
  /** The Hazelcast member attribute vertx-hazelcast stores the Vert.x node id in. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  /** Live ingest nodes: those that take chunks, and all (active and leaving), each sorted. */
  record View(List<String> active, List<String> all) {
  }

  private final Vertx vertx;
  private final Context context;
  private final String self;
  private final HazelcastInstance hazelcast;
  private final Runnable onChange;
  private final MessageConsumer<String> changes;
  private final UUID listener;
  private AsyncMap<String, String> map;
  /** What this node last announced; null before joining and after closing. */
  private String announced;

  IngestMembers(Vertx vertx, Runnable onChange) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.onChange = onChange;
    ClusterManager cm = vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
    this.self = cm != null ? cm.getNodeId() : UUID.randomUUID().toString();
    this.hazelcast = cm instanceof HazelcastClusterManager h ? h.getHazelcastInstance() : null;
    this.changes = vertx.eventBus().consumer(CHANGED, msg -> {
      if (!self.equals(msg.body())) {
        onChange.run();
      }
    });
    this.listener = hazelcast == null ? null : hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        // A Hazelcast event thread: hop to the ingest's context.
        String node = event.getMember().getAttribute(VERTX_NODE_ID);
        context.runOnContext(v -> {
          if (node != null && map != null) {
            map.remove(node);
          }
          onChange.run();
        });
      }
    });
  }

  /** This node's id (the Vert.x cluster node id). */
  String self() {
    return self;
  }

  /** Registers this node as taking chunks, and tells the others. */
  Future<Void> join() {
    return vertx.sharedData().<String, String>getAsyncMap(MAP)
        .compose(m -> {
          map = m;
          return announce(ACTIVE);
        });
  }

  /** Marks this node as handing its chunks over: others stop counting it as an owner but still ask it. */
  Future<Void> leave() {
    return map == null ? Future.succeededFuture() : announce(LEAVING);
  }

  private Future<Void> announce(String state) {
    announced = state;
    return map.put(self, state).onSuccess(v -> vertx.eventBus().publish(CHANGED, self));
  }

  /** The live ingest nodes, as the registry and Hazelcast's member list agree now. */
  Future<View> read() {
    if (map == null) {
      return Future.succeededFuture(new View(List.of(self), List.of(self)));
    }
    Set<String> live = liveNodes();
    return map.entries().map(entries -> {
      if (announced != null && !announced.equals(entries.get(self))) {
        // Our entry is gone or stale: after a split brain the other side deleted it when it lost us (and a merge
        // keeps what the surviving side has). Without it the others never count us again, and every chunk we
        // should hold would be written twice. Put it back; the next read sees it.
        log.info("This node's ingest registration was {}: announcing it again", entries.containsKey(self) ? "stale" : "missing");
        announce(announced);
      }
      TreeSet<String> active = new TreeSet<>();
      TreeSet<String> all = new TreeSet<>();
      entries.forEach((node, state) -> {
        if (live.contains(node)) {
          all.add(node);
          if (ACTIVE.equals(state)) {
            active.add(node);
          }
        }
      });
      return new View(List.copyOf(active), List.copyOf(all));
    });
  }

  /** Vert.x node ids of the current Hazelcast members (just this node without a cluster). */
  private Set<String> liveNodes() {
    if (hazelcast == null) {
      return Set.of(self);
    }
    return hazelcast.getCluster().getMembers().stream().map(m -> (String) m.getAttribute(VERTX_NODE_ID))
        .filter(n -> n != null).collect(Collectors.toSet());
  }

  /** Leaves the registry and stops listening. */
  Future<Void> close() {
    if (listener != null && hazelcast.getLifecycleService().isRunning()) {
      hazelcast.getCluster().removeMembershipListener(listener);
    }
    announced = null;
    // Unregistered first: our own announcement would otherwise reach a consumer already gone (a warning).
    return changes.unregister().transform(x -> map == null ? Future.succeededFuture()
        : map.remove(self).<Void>mapEmpty().onSuccess(v -> vertx.eventBus().publish(CHANGED, self)));
  }
}
