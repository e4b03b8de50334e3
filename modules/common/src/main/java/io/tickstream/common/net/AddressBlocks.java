package io.tickstream.common.net;

import io.netty.util.NetUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of addresses and CIDR blocks ({@code fanout.trusted-proxies}, {@code fanout.connections-per-ip-exempt},
 * {@code cluster.allowed-members}), and the one rule that finds a client's address behind trusted proxies:
 * {@link #clientAddress}. One implementation for every setting that names networks, so they all parse and match alike.
 * Immutable, so shared by every thread. Addresses are parsed as literals only ({@link NetUtil}): nothing here ever asks
 * DNS, which an attacker on the network may answer.
 */
public final class AddressBlocks {

  public static final AddressBlocks NONE = new AddressBlocks("", List.of());

  private final List<byte[]> networks;
  private final int[] prefixes;

  private final String setting;
  private final List<String> entries;

  private AddressBlocks(String setting, List<String> entries) {
    this.setting = setting;
    this.entries = List.copyOf(entries);
    networks = new ArrayList<>(entries.size());
    prefixes = new int[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      String e = entries.get(i).trim();
      int slash = e.indexOf('/');
      byte[] net = parse(slash < 0 ? e : e.substring(0, slash));
      if (net == null) {
        throw new IllegalArgumentException(setting + ": '" + e + "' is not an IP address or CIDR block");
      }
      int bits = net.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(e.substring(slash + 1));
        } catch (NumberFormatException bad) {
          bits = -1;
        }
        if (bits < 0 || bits > net.length * 8) {
          throw new IllegalArgumentException(setting + ": '" + e + "' has a prefix length outside 0.."
              + net.length * 8);
        }
      }
      networks.add(net);
      prefixes[i] = bits;
    }
  }

  /** Parses {@code setting}'s entries; throws {@link IllegalArgumentException} naming the setting and the bad entry. */
  public static AddressBlocks of(String setting, List<String> entries) {
    List<String> given = entries.stream().map(String::trim).filter(e -> !e.isEmpty()).toList();
    return given.isEmpty() ? NONE : new AddressBlocks(setting, given);
  }

  public boolean isEmpty() {
    return networks.isEmpty();
  }

  /** Whether {@code address} (4 or 16 bytes, as {@link #parse} returns) is in one of the blocks. */
  public boolean contains(byte[] address) {
    if (address == null) {
      return false;
    }
    for (int i = 0; i < prefixes.length; i++) {
      byte[] net = networks.get(i);
      if (net.length == address.length && samePrefix(net, address, prefixes[i])) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code address} is in one of the blocks; an IPv4-mapped IPv6 address counts as its IPv4 address. */
  public boolean contains(java.net.InetAddress address) {
    byte[] b = address.getAddress();
    return contains(b.length == 16 && isV4Mapped(b) ? new byte[]{b[12], b[13], b[14], b[15]} : b);
  }

  /** The entries as configured, comma-separated. */
  @Override
  public String toString() {
    return String.join(",", entries);
  }

  private static boolean samePrefix(byte[] a, byte[] b, int bits) {
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (a[full] & mask) == (b[full] & mask);
  }

  /**
   * The client's address, with these blocks as the trusted proxies: start at the TCP peer; while the current hop is trusted, step to the address it reports: first
   * the PROXY protocol source ({@code proxied}, null without one), then the {@code X-Forwarded-For} entries from the
   * right. A hop that is not trusted is the client, so whatever a client writes into these headers itself is never
   * believed. An entry a trusted proxy wrote that is not an IP address stops the walk at that proxy ({@code badEntry} runs).
   *
   * @return 4 or 16 bytes (IPv4-mapped IPv6 addresses as IPv4); null only if {@code peer} is not an IP address
   */
  public byte[] clientAddress(String peer, String proxied, List<String> forwardedFor, Runnable badEntry) {
    byte[] current = parse(peer);
    if (current == null || networks.isEmpty()) {
      return current;
    }
    if (proxied != null && contains(current)) {
      byte[] p = parse(proxied);
      if (p != null) {
        current = p;
      }
    }
    for (int h = forwardedFor.size() - 1; h >= 0 && contains(current); h--) {
      String header = forwardedFor.get(h);
      int end = header.length();
      while (end > 0 && contains(current)) {
        int comma = header.lastIndexOf(',', end - 1);
        String entry = header.substring(comma + 1, end).trim();
        end = Math.max(comma, 0);
        if (entry.isEmpty()) {
          continue;
        }
        byte[] next = parse(stripPort(entry));
        if (next == null) {
          badEntry.run();
          return current;
        }
        current = next;
      }
    }
    return current;
  }

  /** {@code 1.2.3.4:80} and {@code [::1]:80} without the port; anything else as it is. */
  private static String stripPort(String entry) {
    if (entry.startsWith("[")) {
      int close = entry.indexOf(']');
      return close > 0 ? entry.substring(1, close) : entry;
    }
    int colon = entry.indexOf(':');
    if (colon > 0 && colon == entry.lastIndexOf(':') && entry.indexOf('.') > 0) {
      return entry.substring(0, colon);
    }
    return entry;
  }

  /** An IP literal as 4 or 16 bytes, IPv4-mapped IPv6 as IPv4; null if it is not one. Never asks DNS. */
  public static byte[] parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    int zone = text.indexOf('%');
    byte[] b = NetUtil.createByteArrayFromIpAddressString(zone < 0 ? text : text.substring(0, zone));
    if (b != null && b.length == 16 && isV4Mapped(b)) {
      return new byte[]{b[12], b[13], b[14], b[15]};
    }
    return b;
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }
}
