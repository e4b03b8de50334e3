package io.tickstream.loadgen.impl;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Local addresses to connect from. Each source address has its own ~28k ephemeral ports towards one target
 * port, so spreading connections over 127.0.0.0/8 passes that limit. Entries: {@code 127.0.0.1-127.0.0.50}
 * (inclusive range), {@code 127.0.0.7} (one address) or a count {@code 20} (127.0.0.1 upwards).
 */
public final class SourceAddresses {

  /** Ranges larger than this are a typo, not a plan. */
  static final int MAX_ADDRESSES = 65_536;

  private SourceAddresses() {
  }

  /** The addresses, loopback only; empty means "let the OS choose". */
  public static List<String> parse(List<String> entries) {
    List<String> out = new ArrayList<>();
    for (String e : entries) {
      if (e.matches("\\d+")) {
        int n = Integer.parseInt(e);
        if (n < 1 || n > MAX_ADDRESSES) {
          throw new IllegalArgumentException("loadgen.source-addresses: count " + e + " must be between 1 and " + MAX_ADDRESSES);
        }
        addRange(out, v4(LocalTarget.requireLoopback("127.0.0.1", "loadgen.source-addresses")), n);
      } else if (e.contains("-")) {
        String[] ends = e.split("-", 2);
        int from = v4(LocalTarget.requireLoopback(ends[0].trim(), "loadgen.source-addresses"));
        int to = v4(LocalTarget.requireLoopback(ends[1].trim(), "loadgen.source-addresses"));
        if (Integer.compareUnsigned(to, from) < 0 || to - from >= MAX_ADDRESSES) {
          throw new IllegalArgumentException("loadgen.source-addresses: range " + e + " is empty or too large");
        }
        addRange(out, from, to - from + 1);
      } else {
        out.add(LocalTarget.requireLoopback(e, "loadgen.source-addresses").getHostAddress());
      }
    }
    return out;
  }

  private static void addRange(List<String> out, int from, int count) {
    for (int i = 0; i < count; i++) {
      int a = from + i;
      out.add(((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255));
    }
  }

  private static int v4(InetAddress a) {
    if (!(a instanceof Inet4Address)) {
      throw new IllegalArgumentException("loadgen.source-addresses: ranges take IPv4 addresses, not " + a.getHostAddress());
    }
    byte[] b = a.getAddress();
    return ((b[0] & 255) << 24) | ((b[1] & 255) << 16) | ((b[2] & 255) << 8) | (b[3] & 255);
  }
}
