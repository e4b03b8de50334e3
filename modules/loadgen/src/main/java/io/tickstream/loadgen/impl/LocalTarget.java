package io.tickstream.loadgen.impl;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The node under load, parsed from {@code ws://host:port}. Only loopback and private addresses are accepted
 * (127.0.0.0/8, ::1, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7): the load generator opens connections by the
 * hundred thousand, which against anything on the internet is an attack, not a test. Private addresses are for a node
 * reached through a network namespace or a container network on this machine (a client behind a rate-limited link,
 * for example), never named through DNS.
 */
public record LocalTarget(String host, int port) {

  /** @throws IllegalArgumentException if the URL is malformed or its host is not localhost, a loopback or a private address */
  public static LocalTarget parse(String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (Exception e) {
      throw new IllegalArgumentException("loadgen.url: '" + url + "' is not a URL such as ws://127.0.0.1:8080");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("http")) {
      throw new IllegalArgumentException("loadgen.url: '" + url + "' must start with ws:// (TLS is not supported)");
    }
    String host = uri.getHost();
    if (host == null) {
      throw new IllegalArgumentException("loadgen.url: '" + url + "' has no host");
    }
    String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    requireLocal(literal, "loadgen.url");
    return new LocalTarget(literal, uri.getPort() < 0 ? 80 : uri.getPort());
  }

  /** Fails unless {@code host} is {@code localhost} or a loopback or private IP literal; never asks DNS. */
  static InetAddress requireLocal(String host, String what) {
    InetAddress a = literal(host);
    if (a != null && (a.isLoopbackAddress() || a.isSiteLocalAddress()
        || (a.getAddress().length == 16 && (a.getAddress()[0] & 0xFE) == 0xFC))) {
      return a;
    }
    throw new IllegalArgumentException(what + ": '" + host + "' is not a loopback or private address; the load "
        + "generator only connects within this machine (127.0.0.0/8, ::1) or to a private network on it (10.0.0.0/8, "
        + "172.16.0.0/12, 192.168.0.0/16, fc00::/7: network namespaces, containers)");
  }

  /** An IP literal (or localhost) as an address, or null; never asks DNS. */
  private static InetAddress literal(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return InetAddress.getLoopbackAddress();
    }
    if (host.matches("[0-9.]+") || host.contains(":")) {
      try {
        return InetAddress.getByName(host);
      } catch (UnknownHostException e) {
        return null;
      }
    }
    return null;
  }

  /** Fails unless {@code host} is {@code localhost} or an IP literal in 127.0.0.0/8 or ::1; never asks DNS. */
  static InetAddress requireLoopback(String host, String what) {
    if (host.equalsIgnoreCase("localhost")) {
      return InetAddress.getLoopbackAddress();
    }
    boolean literal = host.matches("[0-9.]+") || host.contains(":");
    if (literal) {
      try {
        InetAddress a = InetAddress.getByName(host);
        if (a.isLoopbackAddress()) {
          return a;
        }
      } catch (UnknownHostException e) {
        // Malformed literal: refused below.
      }
    }
    throw new IllegalArgumentException(what + ": '" + host + "' is not a loopback address; the load generator only "
        + "connects within this machine (127.0.0.0/8 or ::1)");
  }
}
