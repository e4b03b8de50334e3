package io.tickstream.common.cluster;

import io.tickstream.common.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.NodeInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13: the clustered event bus accepted any TCP peer, and the express lane's ticks travel on it. With
 * {@code cluster.event-bus-tls.keystore} the nodes talk mutual TLS: they reach each other, a plaintext peer and a TLS
 * peer without the deployment's certificate do not.
 */
class EventBusTlsTest {

  private static final String PASSWORD = "event-bus-test";

  /** A PKCS12 key store with one self-signed key pair, made by the JDK's own keytool. */
  private static Path keystore(Path dir, String name) throws Exception {
    Path file = dir.resolve(name + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
        "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(out).isZero();
    return file;
  }

  @Test
  void nodesWithTheDeploymentsCertificateTalkAndPeersWithoutOneAreRefused(@TempDir Path dir) throws Exception {
    Path shared = keystore(dir, "tickstream-node");
    int base = ThreadLocalRandom.current().nextInt(40_000, 42_000);
    Config cluster = Config.defaults(ClusterSettings.ALL)
        .with(ClusterSettings.NAME, "event-bus-tls-" + base)
        .with(ClusterSettings.PORT, base)
        .with(ClusterSettings.MEMBERS, List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1)))
        .with(ClusterSettings.EVENT_BUS_TLS_KEYSTORE, shared.toString())
        .with(ClusterSettings.EVENT_BUS_TLS_PASSWORD, PASSWORD);
    Vertx a = HazelcastCluster.vertx(cluster, new VertxOptions()).await(60, TimeUnit.SECONDS);
    Vertx b = HazelcastCluster.vertx(cluster.with(ClusterSettings.PORT, base + 1), new VertxOptions()).await(60, TimeUnit.SECONDS);
    try {
      b.eventBus().<String>consumer("tls.ping", m -> m.reply("pong")).completion().await(10, TimeUnit.SECONDS);
      String reply = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> a.eventBus()
          .<String>request("tls.ping", "ping").await(5, TimeUnit.SECONDS).body(), r -> r != null);
      assertThat(reply).as("across the TLS event bus").isEqualTo("pong");

      NodeInfo bus = ((VertxInternal) b).clusterManager().getNodeInfo();
      // A plaintext peer: what it writes is no TLS handshake, and the node closes the connection.
      try (Socket plain = new Socket()) {
        plain.connect(new InetSocketAddress(bus.host(), bus.port()), 5_000);
        plain.setSoTimeout(10_000);
        OutputStream out = plain.getOutputStream();
        out.write("{\"address\":\"tickstream.express\",\"body\":\"forged tick\"}\n".repeat(4).getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = plain.getInputStream();
        int read;
        try {
          do {
            read = in.read();
          } while (read >= 0);
        } catch (SocketException reset) {
          read = -1;
        }
        assertThat(read).as("closed by the node").isEqualTo(-1);
      }
      // A TLS peer with a certificate of its own, not the deployment's: refused in the handshake.
      Path stranger = keystore(dir, "stranger");
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      try (InputStream in = java.nio.file.Files.newInputStream(stranger)) {
        ks.load(in, PASSWORD.toCharArray());
      }
      javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, PASSWORD.toCharArray());
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(kmf.getKeyManagers(), new TrustManager[]{new TrustingAnyServer()}, null);
      assertThatThrownBy(() -> {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(bus.host(), bus.port())) {
          s.setSoTimeout(10_000);
          s.startHandshake();
          // TLS 1.3 reports the server's refusal of the client certificate at the first read.
          s.getOutputStream().write(1);
          s.getOutputStream().flush();
          if (s.getInputStream().read() < 0) {
            throw new SSLException("closed by the node after the handshake");
          }
        }
      }).isInstanceOfAny(SSLException.class, SocketException.class);
    } finally {
      b.close().await(30, TimeUnit.SECONDS);
      a.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** The stranger checks nothing about the node: what is tested is whether the node checks the stranger. */
  private static final class TrustingAnyServer implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
