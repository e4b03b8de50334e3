package io.tickstream.common.cluster;

import io.tickstream.common.net.AddressBlocks;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The addresses and networks cluster peers may come from ({@code cluster.allowed-members}): entries such as
 * {@code 10.0.0.0/16}, {@code 10.0.3.7}, {@code fd00::/8}. An empty list allows any address (what reaches
 * {@code cluster.interface} at all). Literal addresses only: a host name would make the check depend on DNS, which
 * an attacker on the network may answer.
 *
 * <p>Thread-safe and immutable but for the count of refusals.
 */
public final class MemberAllowlist {

  private final AddressBlocks networks;
  private final AtomicLong refused = new AtomicLong();

  private MemberAllowlist(AddressBlocks networks) {
    this.networks = networks;
  }

  /** Parses {@code entries}; throws {@link IllegalArgumentException} naming the first one that is no address or CIDR. */
  public static MemberAllowlist of(List<String> entries) {
    return new MemberAllowlist(AddressBlocks.of(ClusterSettings.ALLOWED_MEMBERS.key(), entries));
  }

  /** True when no entry is configured: every address is allowed. */
  public boolean allowsAny() {
    return networks.isEmpty();
  }

  /** Whether a peer at {@code address} may take part in the cluster. */
  public boolean allows(InetAddress address) {
    return networks.isEmpty() || networks.contains(address);
  }

  /** Counts one refused connection or join; see {@link #refused()}. */
  void refuse() {
    refused.incrementAndGet();
  }

  /** Connections and join requests refused since start. */
  public long refused() {
    return refused.get();
  }

  @Override
  public String toString() {
    return networks.isEmpty() ? "any" : "[" + networks + "]";
  }
}
