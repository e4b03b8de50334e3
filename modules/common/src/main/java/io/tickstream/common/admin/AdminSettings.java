package io.tickstream.common.admin;

import io.tickstream.common.config.Setting;

/**
 * The two settings of a role's admin server, {@code <role>.admin-host} and {@code <role>.admin-port}, built here
 * so that every role words and bounds them alike. The default interface is loopback: the admin port lists internal
 * addresses ({@code /cluster}) and the node's meters, so it is reachable from outside the host only where an operator
 * binds it wider (the container images and manifests bind {@code 0.0.0.0} for probes and Prometheus and fence it with
 * network policy, see docs/security/admin-and-cluster.md).
 */
public final class AdminSettings {

  /** Loopback: nothing outside the host reaches the admin port unless an operator says so. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The value of {@code <role>.admin-port} that runs no admin server at all. */
  public static final int DISABLED = -1;

  private AdminSettings() {
  }

  /** {@code <role>.admin-host}. */
  public static Setting<String> host(String role) {
    return Setting.ofString(role + ".admin-host", DEFAULT_HOST,
        "Interface of the " + role + "'s admin server (/health/live, /health/ready, /metrics, /cluster); loopback by "
        + "default, 0.0.0.0 where probes and Prometheus come from other hosts (fence it with network policy).");
  }

  /** {@code <role>.admin-port}, defaulting to {@code defaultPort}. */
  public static Setting<Integer> port(String role, int defaultPort) {
    return Setting.ofInt(role + ".admin-port", defaultPort, DISABLED, 65_535,
        "Port of the " + role + "'s admin server, apart from any client port; 0 picks a free port, -1 runs none.");
  }
}
