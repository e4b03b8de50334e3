package io.tickstream.fanout.impl.access;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code fanout.allowed-origins} allowlist. An entry is {@code *} (any origin), an exact origin
 * ({@code https://app.example.com}, {@code http://localhost:3000}) or a subdomain wildcard
 * ({@code https://*.example.com}: any host ending in {@code .example.com}, not {@code example.com} itself), with the
 * scheme and port compared exactly (a missing port is the scheme's default).
 *
 * <p>Two questions: may a page of this origin connect ({@link #allows}), and is the origin <i>listed</i>
 * ({@link #listed}), i.e. named by the operator rather than let in by {@code *}? Only a listed origin gets CORS
 * credentials: {@code *} means "public data, any page", never "any page may send the user's cookies".
 *
 * <p>A request without an {@code Origin} header comes from a native client, not a browser: it is always allowed
 * (an Origin check protects browsers' users, and any other client can send any Origin it likes anyway).
 *
 * <p>Immutable; thread-safe.
 */
public final class OriginPolicy {

  private final boolean any;
  private final List<Entry> entries;

  private record Entry(String scheme, String host, boolean subdomains, int port) {
    boolean matches(Origin o) {
      if (!scheme.equals(o.scheme) || port != o.port) {
        return false;
      }
      return subdomains ? o.host.endsWith("." + host) : o.host.equals(host);
    }
  }

  private record Origin(String scheme, String host, int port) {
  }

  private OriginPolicy(boolean any, List<Entry> entries) {
    this.any = any;
    this.entries = entries;
  }

  /** Parses the setting's entries; an entry that is no origin fails with a message naming it. */
  public static OriginPolicy of(List<String> allowed) {
    boolean any = false;
    List<Entry> entries = new ArrayList<>();
    for (String raw : allowed) {
      String e = raw.trim().toLowerCase(Locale.ROOT);
      if (e.equals("*")) {
        any = true;
        continue;
      }
      boolean subdomains = false;
      String text = e;
      int schemeEnd = e.indexOf("://");
      if (schemeEnd > 0 && e.startsWith("*.", schemeEnd + 3)) {
        subdomains = true;
        text = e.substring(0, schemeEnd + 3) + e.substring(schemeEnd + 5);
      }
      Origin o = parse(text);
      if (o == null) {
        throw new IllegalArgumentException("fanout.allowed-origins: '" + raw
            + "' is not *, an origin such as https://app.example.com, or https://*.example.com");
      }
      entries.add(new Entry(o.scheme, o.host, subdomains, o.port));
    }
    return new OriginPolicy(any, List.copyOf(entries));
  }

  /** True if {@code *} is in the list. */
  public boolean anyOrigin() {
    return any;
  }

  /** May a request with this {@code Origin} header (null: none) connect? */
  public boolean allows(String origin) {
    return origin == null || any || listed(origin);
  }

  /** Is this origin named by an exact or wildcard entry (not merely let in by {@code *})? */
  public boolean listed(String origin) {
    if (origin == null || entries.isEmpty()) {
      return false;
    }
    Origin o = parse(origin.trim().toLowerCase(Locale.ROOT));
    if (o == null) {
      return false;
    }
    for (Entry e : entries) {
      if (e.matches(o)) {
        return true;
      }
    }
    return false;
  }

  /** {@code scheme://host[:port]} with nothing after it, else null (also for the {@code null} origin). */
  private static Origin parse(String text) {
    int schemeEnd = text.indexOf("://");
    if (schemeEnd <= 0) {
      return null;
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      String host = uri.getHost();
      if (host == null || uri.getRawUserInfo() != null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        return null;
      }
      int port = uri.getPort();
      if (port < 0) {
        port = switch (scheme) {
          case "https", "wss" -> 443;
          case "http", "ws" -> 80;
          default -> -1;
        };
      }
      return new Origin(scheme, host, port);
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }
}
