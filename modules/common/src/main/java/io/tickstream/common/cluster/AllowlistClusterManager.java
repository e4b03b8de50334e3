package io.tickstream.common.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Completable;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Vert.x's Hazelcast cluster manager over a member we started ourselves (with {@link AllowlistNodeContext}, which
 * Vert.x cannot do): the same manager, except that leaving also shuts the member down, as Vert.x does for members it
 * started. The member shuts down on a thread of its own: it blocks while it hands its partitions over.
 */
final class AllowlistClusterManager extends HazelcastClusterManager {

  private final HazelcastInstance member;
  private final MemberAllowlist allowlist;

  AllowlistClusterManager(HazelcastInstance member, MemberAllowlist allowlist) {
    super(member);
    this.member = member;
    this.allowlist = allowlist;
  }

  MemberAllowlist allowlist() {
    return allowlist;
  }

  @Override
  public void leave(Completable<Void> promise) {
    super.leave((result, failure) -> {
      Thread shutdown = new Thread(() -> {
        try {
          member.getLifecycleService().shutdown();
        } finally {
          promise.complete(result, failure);
        }
      }, "tickstream-hazelcast-shutdown");
      shutdown.start();
    });
  }
}
