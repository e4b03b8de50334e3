package io.tickstream.common.cluster;

import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.instance.impl.DefaultNodeExtension;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.instance.impl.NodeExtension;
import com.hazelcast.internal.cluster.impl.JoinMessage;
import com.hazelcast.nio.MemberSocketInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Properties;

/**
 * Makes a Hazelcast member refuse peers from outside {@code cluster.allowed-members} ({@link MemberAllowlist}).
 *
 * <p>Hazelcast's open-source edition has no member authentication (that, TLS and socket interceptors are Enterprise
 * features), and its TCP-IP member list is where a member looks for others, not who may join: anyone who reaches the
 * port with the cluster name joins. It does have two seams, both behind its internal {@code NodeExtension}, which
 * this class fills through the {@code NodeContext} a member is started with:
 * <ol>
 *   <li><b>Every socket</b>, accepted or opened, goes through {@link NodeExtension#getSocketInterceptor} once
 *   {@code network.socket-interceptor} is enabled: a socket whose remote address is not allowed is closed before
 *   Hazelcast reads a byte from it. This is the real gate: it uses the TCP peer's address, which a peer cannot claim
 *   falsely and still talk over the connection. It covers member and Hazelcast-client connections alike (both arrive
 *   on the member port).</li>
 *   <li><b>Every join request</b> reaching the master goes through {@link NodeExtension#validateJoinRequest}: a request
 *   whose claimed member address is not allowed is refused (Hazelcast answers it with a before-join-check failure,
 *   and the joiner gives up). This keeps an allowed host from enrolling an address outside the list.</li>
 * </ol>
 * Both are internal API of Hazelcast ({@code com.hazelcast.instance.impl}); {@code MemberAllowlistTest} runs real
 * members and an intruder, so an upgrade that moves them fails the build rather than opening the cluster.
 */
final class AllowlistNodeContext extends DefaultNodeContext {

  private static final Logger log = LoggerFactory.getLogger(MemberAllowlist.class);

  private final MemberAllowlist allowlist;

  AllowlistNodeContext(MemberAllowlist allowlist) {
    this.allowlist = allowlist;
  }

  @Override
  public NodeExtension createNodeExtension(Node node) {
    return new Extension(node, allowlist);
  }

  /** Refuses peers from outside the allowlist, logging the 1st, 2nd, 4th, 8th ... refusal (bounded log volume). */
  static void refuse(MemberAllowlist allowlist, String what) {
    allowlist.refuse();
    long n = allowlist.refused();
    if (Long.bitCount(n) == 1) {
      log.warn("Refused {} (not in cluster.allowed-members {}); {} refused so far", what, allowlist, n);
    }
  }

  /** Hazelcast's own extension, plus the two checks. */
  static final class Extension extends DefaultNodeExtension {

    private final MemberAllowlist allowlist;
    private final Interceptor interceptor;

    Extension(Node node, MemberAllowlist allowlist) {
      super(node);
      this.allowlist = allowlist;
      this.interceptor = new Interceptor(allowlist);
    }

    @Override
    public MemberSocketInterceptor getSocketInterceptor(EndpointQualifier qualifier) {
      return interceptor;
    }

    @Override
    public void validateJoinRequest(JoinMessage joinMessage) {
      super.validateJoinRequest(joinMessage);
      InetAddress claimed;
      try {
        claimed = joinMessage.getAddress().getInetAddress();
      } catch (UnknownHostException e) {
        refuse(allowlist, "a join request from unresolvable " + joinMessage.getAddress());
        throw new IllegalStateException("Join refused: " + joinMessage.getAddress() + " does not resolve");
      }
      if (!allowlist.allows(claimed)) {
        refuse(allowlist, "a join request from " + joinMessage.getAddress());
        throw new IllegalStateException("Join refused: " + joinMessage.getAddress() + " is not in cluster.allowed-members");
      }
    }
  }

  /**
   * Called by Hazelcast on its acceptor's or connector's thread, the socket in blocking mode, before any protocol
   * byte; an {@link IOException} makes Hazelcast close the socket.
   */
  static final class Interceptor implements MemberSocketInterceptor {

    private final MemberAllowlist allowlist;

    Interceptor(MemberAllowlist allowlist) {
      this.allowlist = allowlist;
    }

    @Override
    public void init(Properties properties) {
    }

    @Override
    public void onAccept(Socket socket) throws IOException {
      check(socket, "a connection from ");
    }

    @Override
    public void onConnect(Socket socket) throws IOException {
      check(socket, "a connection to ");
    }

    private void check(Socket socket, String what) throws IOException {
      InetAddress peer = socket.getInetAddress();
      if (peer == null || !allowlist.allows(peer)) {
        refuse(allowlist, what + socket.getRemoteSocketAddress());
        throw new IOException("cluster peer " + socket.getRemoteSocketAddress() + " is not in cluster.allowed-members");
      }
    }
  }
}
