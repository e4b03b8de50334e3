package io.tickstream.fanout.impl.access;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * This node's live leases by key id: the per-key connection count (per node: every node counts its own, so a key
 * limited to N may hold up to N on each node) and the handle revocation closes connections through.
 *
 * <p>Thread-safe: every loop acquires and releases; one key's set changes only inside {@link ConcurrentHashMap#compute},
 * so the limit check and the add are one atomic step. Upgrades are not the hot path.
 */
final class KeyLeases {

  private final ConcurrentHashMap<String, Set<Lease>> byKey = new ConcurrentHashMap<>();

  /** A lease of {@code grant}'s key, or null if the key already holds {@code maxConnections} on this node. */
  Lease acquire(Grant grant) {
    Lease lease = new Lease(grant, this);
    boolean[] added = {false};
    byKey.compute(grant.keyId(), (k, set) -> {
      Set<Lease> s = set == null ? new HashSet<>() : set;
      if (grant.maxConnections() <= 0 || s.size() < grant.maxConnections()) {
        s.add(lease);
        added[0] = true;
      }
      return s.isEmpty() ? null : s;
    });
    return added[0] ? lease : null;
  }

  void release(Lease lease) {
    byKey.computeIfPresent(lease.grant().keyId(), (k, set) -> {
      set.remove(lease);
      return set.isEmpty() ? null : set;
    });
  }

  /** Calls {@code action} for every live lease (a copy taken key by key, so it may revoke). */
  void forEach(Consumer<Lease> action) {
    List<Lease> all = new ArrayList<>();
    for (String key : byKey.keySet()) {
      byKey.computeIfPresent(key, (k, set) -> {
        all.addAll(set);
        return set;
      });
    }
    all.forEach(action);
  }
}
