package io.tickstream.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts on one machine: Linux network namespaces joined by veth pairs, through {@code ip} (iproute2), as root.
 *
 * <p>Names carry a random run id, so a run that crashed before cleaning up never collides with the next. Only
 * private 10.213.0.0/16 addresses are used, on links this class creates; nothing is routed to any other network.
 * {@link #close()} deletes every namespace and root-side link it made, whatever happened before.
 */
final class NetworkNamespaces implements AutoCloseable {

  /** Why namespaces cannot be made here, or null when they can (root, and {@code ip netns} works). */
  static String unavailableBecause() {
    try {
      Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!id.waitFor(10, TimeUnit.SECONDS) || !uid.equals("0")) {
        return "network namespaces need root (uid is " + uid + ")";
      }
      Process ip = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      String out = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!ip.waitFor(10, TimeUnit.SECONDS) || ip.exitValue() != 0) {
        return "'ip netns list' failed: " + out;
      }
      return null;
    } catch (IOException | InterruptedException e) {
      return "iproute2's 'ip' is not available: " + e.getMessage();
    }
  }

  /** Short random id in every name of this run (interface names are at most 15 characters). */
  final String run = Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 36);
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> rootLinks = new ArrayList<>();

  /** Creates namespace {@code tssb-<run>-<name>} with its loopback up; returns its full name. */
  String namespace(String name) throws IOException {
    String ns = "tssb-" + run + "-" + name;
    ip("netns", "add", ns);
    namespaces.add(ns);
    ip("-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  /**
   * A veth pair between namespaces {@code ns1} and {@code ns2} ({@code null} for the root namespace, where only the
   * test itself sits), with {@code addr1}/{@code addr2} (CIDR) on its ends; returns the name of the end in
   * {@code ns1}.
   */
  String link(String tag, String ns1, String addr1, String ns2, String addr2) throws IOException {
    String end1 = "s" + run + tag + "1";
    String end2 = "s" + run + tag + "2";
    ip("link", "add", end1, "type", "veth", "peer", "name", end2);
    if (ns1 == null) {
      rootLinks.add(end1);
    } else {
      ip("link", "set", end1, "netns", ns1);
    }
    ip("link", "set", end2, "netns", ns2);
    ip(ns(ns1, "addr", "add", addr1, "dev", end1));
    ip(ns(ns2, "addr", "add", addr2, "dev", end2));
    ip(ns(ns1, "link", "set", end1, "up"));
    ip(ns(ns2, "link", "set", end2, "up"));
    return end1;
  }

  /** A host route in {@code namespace}: {@code address} through {@code gateway} (an address of a linked namespace). */
  void route(String namespace, String address, String gateway) throws IOException {
    ip(ns(namespace, "route", "add", address + "/32", "via", gateway));
  }

  /**
   * Limits what leaves the root-side link end {@code end} to {@code rate} (tc's syntax: 1mbit, 256kbit) with a token
   * bucket, as a slow access link does: {@code tbf rate R burst 16kb latency 200ms}, so the link's own queue holds about
   * 200 ms plus a 16 KB burst. ({@code netem}, {@code fq} and {@code fq_codel} are not available on these machines.)
   */
  void shape(String end, String rate) throws IOException {
    run("tc", "qdisc", "add", "dev", end, "root", "tbf", "rate", rate, "burst", "16kb", "latency", "200ms");
  }

  /** Takes the link {@code end} in {@code namespace} down (cut) or up (healed). */
  void linkUp(String namespace, String end, boolean up) throws IOException {
    ip(ns(namespace, "link", "set", end, up ? "up" : "down"));
  }

  /** {@code command} prefixed so it runs inside {@code namespace} (same process: {@code ip netns exec} execs). */
  static List<String> inNamespace(String namespace, List<String> command) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    cmd.addAll(command);
    return cmd;
  }

  /** {@code 10.213.X.} for an X that no root-namespace address or route uses yet: a /24 for this run's root links. */
  static String freeRootPrefix() throws IOException {
    String used = run("ip", "-4", "addr") + run("ip", "-4", "route");
    for (int attempt = 0; attempt < 100; attempt++) {
      String prefix = "10.213." + ThreadLocalRandom.current().nextInt(0, 100) + ".";
      if (!used.contains(prefix)) {
        return prefix;
      }
    }
    throw new IOException("no free 10.213.x.0/24 in the root namespace");
  }

  private static String[] ns(String namespace, String... args) {
    List<String> all = new ArrayList<>();
    if (namespace != null) {
      all.addAll(List.of("-n", namespace));
    }
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private static void ip(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    run(cmd.toArray(String[]::new));
  }

  private static String run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return out;
  }

  /**
   * Deletes the root-side links and the namespaces (which deletes the links inside them). Stop the processes in
   * them first: a namespace with a process in it lives on unnamed until that process ends.
   */
  @Override
  public void close() {
    List<String> failures = new ArrayList<>();
    for (String link : rootLinks) {
      try {
        ip("link", "del", link);
      } catch (IOException e) {
        failures.add(e.getMessage());
      }
    }
    for (String ns : namespaces) {
      try {
        ip("netns", "del", ns);
      } catch (IOException e) {
        failures.add(e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      System.err.println("Network namespace cleanup: " + failures);
    }
  }
}
