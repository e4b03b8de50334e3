package io.tickstream.common.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
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

  private final List<Network> networks;
  private final AtomicLong refused = new AtomicLong();

  private MemberAllowlist(List<Network> networks) {
    this.networks = networks;
  }

  /** Parses {@code entries}; throws {@link IllegalArgumentException} naming the first one that is no address or CIDR. */
  public static MemberAllowlist of(List<String> entries) {
    List<Network> networks = new ArrayList<>();
    for (String entry : entries) {
      String e = entry.trim();
      if (!e.isEmpty()) {
        networks.add(Network.parse(e));
      }
    }
    return new MemberAllowlist(List.copyOf(networks));
  }

  /** True when no entry is configured: every address is allowed. */
  public boolean allowsAny() {
    return networks.isEmpty();
  }

  /** Whether a peer at {@code address} may take part in the cluster. */
  public boolean allows(InetAddress address) {
    if (networks.isEmpty()) {
      return true;
    }
    for (Network n : networks) {
      if (n.contains(address)) {
        return true;
      }
    }
    return false;
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
    return networks.isEmpty() ? "any" : networks.toString();
  }

  /** One address with a prefix length; an address alone is a network of one. */
  private record Network(byte[] address, int prefix, String text) {

    static Network parse(String entry) {
      int slash = entry.indexOf('/');
      String host = slash < 0 ? entry : entry.substring(0, slash);
      if (host.isEmpty() || !(host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
        throw new IllegalArgumentException("cluster.allowed-members entry '" + entry
            + "' is not an IP address or CIDR network (host names are not accepted)");
      }
      byte[] bytes;
      try {
        bytes = InetAddress.getByName(host).getAddress(); // a literal: no lookup happens
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("cluster.allowed-members entry '" + entry + "' is not an IP address", e);
      }
      int bits = bytes.length * 8;
      int prefix = bits;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
          throw new IllegalArgumentException("cluster.allowed-members entry '" + entry + "' has a prefix length outside 0.." + bits);
        }
      }
      return new Network(bytes, prefix, entry);
    }

    boolean contains(InetAddress candidate) {
      byte[] c = candidate.getAddress();
      if (c.length != address.length) {
        return false; // IPv4 against an IPv6 network or the reverse
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (c[i] != address[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (c[full] & mask) == (address[full] & mask);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
