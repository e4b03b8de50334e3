package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.tickstream.kafka.broker.junit.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLSession;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * TLS on the client port ({@code fanout.tls-cert}, {@code fanout.tls-key}): wss:// on both WebSocket transports,
 * SockJS over https, and the certificate reloaded from its files while connections stay open. On the {@code channel}
 * transport the node replaces Vert.x's HTTP handlers with its own after the upgrade and writes frames from its own
 * place in the pipeline: ticks arriving intact over TLS show that Vert.x's SslHandler stayed in front of them.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ClientTlsTest {

  @TempDir
  Path dir;

  private FanoutFixture node(String name, String transport, TestCertificates.Pair pair) {
    return node(name, transport, pair, new JsonObject());
  }

  private FanoutFixture node(String name, String transport, TestCertificates.Pair pair, JsonObject more) {
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    pair.writeTo(cert, key);
    FanoutFixture f = FanoutFixture.create(name, new JsonObject()
        .put("fanout.websocket-transport", transport)
        .put("fanout.tls-cert", cert.toString())
        .put("fanout.tls-key", key.toString())
        // Short, so the test sees a change soon; how long it takes does not decide the outcome (Awaitility waits).
        .put("fanout.tls-reload-interval", "200ms")
        // Pings soon: the channel path writes them from one shared buffer, which must pass the SslHandler too.
        .put("fanout.ping-interval", "1s")
        .mergeIn(more));
    f.produce("TLSUSDT", 1);
    return f.deploy();
  }

  private static TestClient wss(FanoutFixture f, String uri) {
    WebSocketClient client = f.vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
    return FanoutFixture.await(TestClient.connect(client, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(f.port())
        .setURI(uri).setSsl(true)));
  }

  private static Certificate peer(TestClient c) {
    SSLSession session = c.ws.sslSession();
    assertThat(session).as("a TLS session").isNotNull();
    try {
      return session.getPeerCertificates()[0];
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static double reloads(FanoutFixture f, String result) {
    return f.verticle.meterRegistry().get(FanoutMetrics.TLS_RELOADS).tag("result", result).counter().count();
  }

  /** The next tick of the connection, skipping nothing: the stream carries only this symbol. */
  private static long nextU(TestClient c) {
    return c.next().getLong("u");
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void wssClientsReceiveTicksAndPlainWebSocketsAreNotServed(String transport) throws Exception {
    TestCertificates.Pair pair = TestCertificates.selfSigned("tickstream-" + transport);
    try (FanoutFixture f = node("tls-" + transport, transport, pair)) {
      TestClient c = wss(f, "/ws/tlsusdt@bookTicker");
      assertThat(peer(c)).isEqualTo(pair.cert());
      assertThat(nextU(c)).isEqualTo(1);
      // Many frames, flushed together and alone: every one goes through the SslHandler whole.
      f.produceAll("TLSUSDT", 2, 50);
      long u = 1;
      while (u < 50) {
        long next = nextU(c);
        assertThat(next).isGreaterThan(u);
        u = next;
      }
      JsonObject reply = c.request("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":7}");
      assertThat(reply.encode()).isEqualTo("{\"result\":[\"tlsusdt@bookTicker\"],\"id\":7}");
      CompletableFuture<Integer> ping = new CompletableFuture<>();
      c.ws.frameHandler(frame -> {
        if (frame.type() == WebSocketFrameType.PING) {
          ping.complete(frame.binaryData().length());
        }
      });
      // The payload is 8 unpredictable bytes per ping (pong liveness), so only its framing can be checked here.
      assertThat(ping.get(30, TimeUnit.SECONDS)).as("the server's ping, decrypted: its 8-byte payload").isEqualTo(8);
      f.produce("TLSUSDT", 51);
      assertThat(nextU(c)).as("a tick after the ping and the client's pong").isEqualTo(51);
      c.close();
      WebSocketClient plain = f.vertx.createWebSocketClient();
      assertThatThrownBy(() -> FanoutFixture.await(plain.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(f.port()).setURI("/ws/tlsusdt@bookTicker")).timeout(10, TimeUnit.SECONDS)))
          .as("a plain ws:// upgrade to the TLS port").isInstanceOf(AssertionError.class);
    }
  }

  @Test
  void sockJSIsServedOverHttpsOnWebSocketAndXhrStreaming() throws Exception {
    TestCertificates.Pair pair = TestCertificates.selfSigned("tickstream-sockjs");
    try (FanoutFixture f = node("tls-sockjs", "channel", pair)) {
      TestClient ws = wss(f, "/sockjs/000/tlssession/websocket");
      assertThat(ws.nextText()).isEqualTo("o");
      ws.send(new JsonArray().add("{\"method\":\"SUBSCRIBE\",\"params\":[\"tlsusdt@bookTicker\"],\"id\":1}").encode());
      // The reply and the snapshot may share one SockJS frame (a["...","..."]).
      StringBuilder seen = new StringBuilder(ws.nextText());
      while (!seen.toString().contains("tlsusdt@bookTicker")) {
        seen.append(ws.nextText());
      }
      assertThat(seen.toString()).contains("\\\"id\\\":1");
      ws.close();

      HttpClient https = f.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
      LinkedBlockingQueue<String> chunks = new LinkedBlockingQueue<>();
      String base = "/sockjs/000/tlsxhr/";
      HttpClientResponse stream = FanoutFixture.await(https.request(HttpMethod.POST, f.port(), "127.0.0.1",
          base + "xhr_streaming").compose(req -> req.send().map(resp -> {
            resp.handler(chunk -> chunks.add(chunk.toString()));
            return resp;
          })));
      assertThat(stream.statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(20)).until(() -> String.join("", chunks).contains("o\n"));
      int status = FanoutFixture.await(https.request(HttpMethod.POST, f.port(), "127.0.0.1", base + "xhr_send")
          .compose(req -> req.send(Buffer.buffer(new JsonArray()
              .add("{\"method\":\"SUBSCRIBE\",\"params\":[\"tlsusdt@bookTicker\"],\"id\":2}").encode())))
          .map(HttpClientResponse::statusCode));
      assertThat(status).isEqualTo(204);
      await().atMost(Duration.ofSeconds(20)).until(() -> String.join("", chunks).contains("tlsusdt@bookTicker"));
      https.close();
    }
  }

  @Test
  void aReplacedCertificateIsServedToNewConnectionsWhileOpenOnesKeepReceiving() {
    TestCertificates.Pair first = TestCertificates.selfSigned("tickstream-first");
    try (FanoutFixture f = node("tls-reload", "channel", first)) {
      TestClient before = wss(f, "/ws/tlsusdt@bookTicker");
      assertThat(peer(before)).isEqualTo(first.cert());
      assertThat(nextU(before)).isEqualTo(1);

      TestCertificates.Pair second = TestCertificates.selfSigned("tickstream-second");
      second.writeTo(dir.resolve("tls.crt"), dir.resolve("tls.key"));
      await().atMost(Duration.ofSeconds(30)).until(() -> reloads(f, "ok") >= 1);

      // Two server instances (event loops): several connections land on both, and every one sees the new pair.
      List<TestClient> after = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        TestClient c = wss(f, "/ws/tlsusdt@bookTicker");
        assertThat(peer(c)).as("connection %d after the reload", i).isEqualTo(second.cert());
        after.add(c);
      }
      assertThat(before.isClosed()).isFalse();
      f.produce("TLSUSDT", 2);
      assertThat(nextU(before)).as("the connection opened before the reload still receives").isEqualTo(2);
      for (TestClient c : after) {
        long u = nextU(c);
        if (u == 1) {
          u = nextU(c); // its snapshot came first
        }
        assertThat(u).isEqualTo(2);
      }
      // No assertion on reloads{result=failed}: the two files are written one after the other, and a read between the
      // two sees a new certificate with the old key, which is refused (as aBadOrHalfWrittenReplacement... shows).
    }
  }

  @Test
  void aBadOrHalfWrittenReplacementKeepsTheOldCertificate() throws Exception {
    TestCertificates.Pair good = TestCertificates.selfSigned("tickstream-good");
    try (FanoutFixture f = node("tls-bad", "channel", good)) {
      Path certFile = dir.resolve("tls.crt");
      Path keyFile = dir.resolve("tls.key");
      TestClient open = wss(f, "/ws/tlsusdt@bookTicker");
      assertThat(nextU(open)).isEqualTo(1);

      // Half-written: the new certificate is there, its key is not yet (the old key stays): they do not match.
      TestCertificates.Pair next = TestCertificates.selfSigned("tickstream-next");
      TestCertificates.write(certFile, next.certPem());
      await().atMost(Duration.ofSeconds(30)).until(() -> reloads(f, "failed") >= 1);
      assertThat(peer(wss(f, "/ws/tlsusdt@bookTicker"))).isEqualTo(good.cert());

      // Garbage in place of the certificate.
      TestCertificates.write(certFile, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
      await().atMost(Duration.ofSeconds(30)).until(() -> reloads(f, "failed") >= 2);
      // A truncated key file (written first: the good certificate with the good key would be a valid pair).
      TestCertificates.write(keyFile, good.keyPem().substring(0, good.keyPem().length() / 2));
      TestCertificates.write(certFile, good.certPem());
      await().atMost(Duration.ofSeconds(30)).until(() -> reloads(f, "failed") >= 3);
      assertThat(peer(wss(f, "/ws/tlsusdt@bookTicker"))).isEqualTo(good.cert());
      assertThat(reloads(f, "ok")).isZero();
      f.produce("TLSUSDT", 2);
      assertThat(nextU(open)).isEqualTo(2);

      // The second half arrives: the pair is whole again and goes into service.
      TestCertificates.write(keyFile, next.keyPem());
      TestCertificates.write(certFile, next.certPem());
      await().atMost(Duration.ofSeconds(30)).until(() -> reloads(f, "ok") >= 1);
      assertThat(peer(wss(f, "/ws/tlsusdt@bookTicker"))).isEqualTo(next.cert());
    }
  }

  @Test
  void onlyTheConfiguredTlsVersionsAreAccepted() {
    TestCertificates.Pair pair = TestCertificates.selfSigned("tickstream-versions");
    try (FanoutFixture f = node("tls-versions", "channel", pair, new JsonObject().put("fanout.tls-protocols", "TLSv1.3"))) {
      assertThat(wss(f, "/ws/tlsusdt@bookTicker").ws.sslSession().getProtocol()).isEqualTo("TLSv1.3");
      WebSocketClient tls12 = f.vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
          .setVerifyHost(false).setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.2")));
      assertThatThrownBy(() -> FanoutFixture.await(tls12.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(f.port()).setURI("/ws/tlsusdt@bookTicker").setSsl(true))))
          .as("a TLS 1.2 client when only 1.3 is enabled").isInstanceOf(AssertionError.class);
    }
    Path cert = dir.resolve("old.crt");
    Path key = dir.resolve("old.key");
    pair.writeTo(cert, key);
    Vertx vertx = Vertx.vertx();
    try {
      Future<String> deployed = vertx.deployVerticle(new FanoutVerticle(), new io.vertx.core.DeploymentOptions()
          .setConfig(new JsonObject().put("kafka.bootstrap-servers", KafkaBrokerExtension.bootstrapServers())
              .put("fanout.port", 0).put("fanout.tls-cert", cert.toString()).put("fanout.tls-key", key.toString())
              .put("fanout.tls-protocols", "TLSv1.1,TLSv1.2")));
      assertThatThrownBy(() -> FanoutFixture.await(deployed)).hasMessageContaining("fanout.tls-protocols: 'TLSv1.1'");
    } finally {
      FanoutFixture.await(vertx.close());
    }
  }

  @Test
  void aNodeWithUnusableFilesDoesNotStart() {
    Path cert = dir.resolve("missing.crt");
    Path key = dir.resolve("missing.key");
    FanoutFixture f = FanoutFixture.create("tls-missing", new JsonObject().put("fanout.tls-cert", cert.toString())
        .put("fanout.tls-key", key.toString()));
    try {
      Future<String> deployed = f.vertx.deployVerticle(new FanoutVerticle(),
          new io.vertx.core.DeploymentOptions().setConfig(new JsonObject().put("kafka.bootstrap-servers",
                  KafkaBrokerExtension.bootstrapServers()).put("topic.name", f.topic).put("fanout.port", 0)
              .put("fanout.tls-cert", cert.toString()).put("fanout.tls-key", key.toString())));
      assertThatThrownBy(() -> FanoutFixture.await(deployed)).hasMessageContaining("fanout.tls-cert");
    } finally {
      f.close();
    }
  }
}
