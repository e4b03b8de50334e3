package io.tickstream.loadgen.impl;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The node under load, parsed from {@code ws://host:port}. Only loopback targets are accepted: the load generator
 * opens connections by the hundred thousand, which against anything but this machine is an attack, not a test.
 */
public record LoopbackTarget(String host, int port) {

  /** @throws IllegalArgumentException if the URL is malformed or its host is not 127.0.0.0/8, ::1 or localhost */
  public static LoopbackTarget parse(String url) {
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
    requireLoopback(literal, "loadgen.url");
    return new LoopbackTarget(literal, uri.getPort() < 0 ? 80 : uri.getPort());
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
