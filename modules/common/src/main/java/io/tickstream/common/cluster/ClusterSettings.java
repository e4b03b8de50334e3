package io.tickstream.common.cluster;

import io.tickstream.common.config.Setting;

import java.time.Duration;
import java.util.List;

/** How a role process joins the tickstream cluster (Hazelcast TCP-IP join; see {@link HazelcastCluster}). */
public final class ClusterSettings {

  public static final Setting<Boolean> ENABLED = Setting.ofBoolean("cluster.enabled", true,
      "Start a clustered Vert.x that joins the other nodes through Hazelcast; false runs the node alone.");
  public static final Setting<String> NAME = Setting.ofString("cluster.name", "tickstream",
      "Hazelcast cluster name: only nodes with the same name join each other.");
  public static final Setting<List<String>> MEMBERS = Setting.ofList("cluster.members",
      List.of("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703"),
      "Hazelcast members to join over TCP-IP, host:port, comma-separated, one entry per member (no port ranges).");
  public static final Setting<Integer> PORT = Setting.ofInt("cluster.port", 5701, 1, 65535,
      "First Hazelcast member port; taken ports are skipped upwards, so several nodes share one host.");
  public static final Setting<String> INTERFACE = Setting.ofString("cluster.interface", "127.0.0.1",
      "Address (or Hazelcast pattern such as 10.0.*.*) Hazelcast and the clustered event bus bind to.");
  public static final Setting<String> PUBLIC_ADDRESS = Setting.ofString("cluster.public-address", null,
      "Address other members reach this one at, host or host:port, when it differs from the bound one (containers, NAT).");
  public static final Setting<Boolean> MULTICAST = Setting.ofBoolean("cluster.multicast", false,
      "Discover members by multicast instead of the cluster.members list (rarely allowed outside a LAN).");

  /**
   * Hazelcast's heartbeat period. Together with {@link #MAX_NO_HEARTBEAT} it bounds how long a member whose host
   * vanished (no socket closed) stays in the cluster; a killed process on a live host is seen sooner, through its
   * closed connections. Hazelcast counts whole seconds: values are rounded up, at least 1 s.
   */
  public static final Setting<Duration> HEARTBEAT_INTERVAL = Setting.ofDuration("cluster.heartbeat-interval",
      Duration.ofSeconds(1), "Hazelcast heartbeat period between members (whole seconds, at least 1s).");
  /**
   * A member silent for this long is suspected and removed (Hazelcast's default is 60 s). Lower takes over a
   * vanished host's work sooner; too low removes a member that is only paused (GC, CPU starvation), which then
   * runs alone until Hazelcast merges it back, doing its work twice meanwhile.
   */
  public static final Setting<Duration> MAX_NO_HEARTBEAT = Setting.ofDuration("cluster.max-no-heartbeat",
      Duration.ofSeconds(5), "A member without heartbeat for this long is removed; lower fails over sooner, too low removes paused members (whole seconds).");

  /**
   * How often the oldest member looks for another cluster of the same name at the listed members, and so how soon
   * after a network partition heals the two sides merge back into one (Hazelcast's
   * {@code hazelcast.merge.first.run.delay.seconds} and {@code hazelcast.merge.next.run.delay.seconds}, 300 s and
   * 120 s by default). Until they merge both sides do the same work (an ingest's chunks are written twice). A look
   * is a connection attempt per listed member address: cheap.
   */
  public static final Setting<Duration> MERGE_INTERVAL = Setting.ofDuration("cluster.merge-interval",
      Duration.ofSeconds(10), "How often, and how soon after start, a cluster looks for a split-off part of itself to merge with after a network partition heals (whole seconds).");

  public static final List<Setting<?>> ALL = List.of(ENABLED, NAME, MEMBERS, PORT, INTERFACE, PUBLIC_ADDRESS, MULTICAST,
      HEARTBEAT_INTERVAL, MAX_NO_HEARTBEAT, MERGE_INTERVAL);

  private ClusterSettings() {
  }
}
