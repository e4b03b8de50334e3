package io.tickstream.local;

import io.tickstream.fanout.FanoutVerticle;
import io.tickstream.ingest.IngestVerticle;
import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import io.tickstream.kafka.broker.junit.TestCertificates;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Kafka security end to end against a real broker whose client listener demands SASL/SCRAM-SHA-512, in plain text and
 * over TLS with a certificate trusted through {@code kafka.ssl-ca-file} (a PEM CA): the simulator
 * feeds the ingest, whose producer and admin client log in, and the fanout's admin client and consumer log in too;
 * a WebSocket client receives the ticks. A wrong password fails each role's start at once with the broker's
 * authentication error, instead of leaving it waiting; the password is never printed.
 */
class KafkaSecurityTest {

  private static final String USER = "tickstream";
  private static final String PASSWORD = "tick-Secret-0451";
  @TempDir
  static Path dir;
  /** SASL_PLAINTEXT with SCRAM-SHA-512. */
  private static EmbeddedKafkaBroker broker;
  /** SASL_SSL: the same, over TLS with a certificate of its own, trusted through kafka.ssl-ca-file. */
  private static EmbeddedKafkaBroker tlsBroker;
  private static Path caFile;
  private static final Vertx client = Vertx.vertx();

  @BeforeAll
  static void startBrokers() {
    broker = EmbeddedKafkaBroker.builder().scramUser(USER, PASSWORD).partitions(2).build().start();
    TestCertificates.Pair cert = TestCertificates.selfSigned("kafka-test-broker");
    caFile = dir.resolve("kafka-ca.pem");
    TestCertificates.write(caFile, cert.certPem());
    tlsBroker = EmbeddedKafkaBroker.builder().scramUser(USER, PASSWORD).tls(cert.certPem(), cert.keyPem()).partitions(2)
        .build().start();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close().await(10, TimeUnit.SECONDS);
    for (EmbeddedKafkaBroker b : new EmbeddedKafkaBroker[] {broker, tlsBroker}) {
      if (b != null) {
        b.close();
      }
    }
  }

  private static List<String> securityFlags(String protocol, String username) {
    return List.of("--kafka.security-protocol=" + protocol, "--kafka.sasl-mechanism=scram-sha-512",
        "--kafka.sasl-username=" + username);
  }

  @ParameterizedTest
  @ValueSource(strings = {"SASL_PLAINTEXT", "SASL_SSL"})
  void ingestToKafkaToFanoutWithScramCredentials(String protocol) throws Exception {
    boolean tls = protocol.equals("SASL_SSL");
    EmbeddedKafkaBroker b = tls ? tlsBroker : broker;
    assertThat(b.securedProtocol()).isEqualTo(protocol);
    int clusterPort = ThreadLocalRandom.current().nextInt(40_000, 60_000);
    List<String> args = new java.util.ArrayList<>(List.of("--exchange=simulator", "--local.kafka=" + b.securedBootstrapServers(),
        "--fanout.port=0", "--fanout.instances=1", "--ingest.admin-port=0", "--fanout.admin-port=0", "--simulator.port=0",
        "--simulator.symbols=BTCUSDT,ETHUSDT", "--simulator.tick-rate=50", "--fanout.drain-window=100ms",
        "--cluster.port=" + clusterPort, "--cluster.members=127.0.0.1:" + clusterPort,
        "--cluster.name=kafka-sasl-" + clusterPort, "--topic.name=sasl-ticks-" + protocol.toLowerCase(),
        // No express lane: every tick the client gets has crossed the authenticated Kafka connection.
        "--ingest.express=false", "--fanout.express=false"));
    args.addAll(securityFlags(protocol.toLowerCase(java.util.Locale.ROOT), USER));
    if (tls) {
      args.add("--kafka.ssl-ca-file=" + caFile);
    }
    LocalStack stack = LocalStackMain.start(args.toArray(String[]::new),
        Map.of("TICKSTREAM_KAFKA_SASL_PASSWORD", PASSWORD), new PrintWriter(new StringWriter())).orElseThrow();
    try {
      await().atMost(Duration.ofSeconds(60)).until(stack::ready);
      CompletableFuture<JsonObject> first = new CompletableFuture<>();
      // 400 (unknown symbol) until the first BTCUSDT tick came through Kafka: retry until then.
      WebSocket ws = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> client.createWebSocketClient()
          .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(stack.fanoutPort())
              .setURI("/ws/btcusdt@bookTicker")).await(10, TimeUnit.SECONDS), w -> w != null);
      ws.textMessageHandler(text -> first.complete(new JsonObject(text)));
      assertThat(first.get(30, TimeUnit.SECONDS).getString("s")).isEqualTo("BTCUSDT");
      ws.close();
    } finally {
      stack.stop();
    }
  }

  @Test
  void aWrongPasswordFailsTheFanoutAndTheIngestStartWithTheBrokersReason() {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject conf = new JsonObject().put("kafka.bootstrap-servers", broker.securedBootstrapServers())
          .put("kafka.security-protocol", "sasl_plaintext").put("kafka.sasl-mechanism", "scram-sha-512")
          .put("kafka.sasl-username", USER).put("kafka.sasl-password", "not-the-password")
          .put("topic.name", "sasl-refused").put("fanout.port", 0).put("ingest.admin-port", 0).put("fanout.admin-port", 0)
          .put("ingest.rest-url", "http://127.0.0.1:1/api/v3/exchangeInfo").put("ingest.ws-url", "ws://127.0.0.1:1/stream");
      FanoutVerticle fanout = new FanoutVerticle();
      assertThatThrownBy(() -> vertx.deployVerticle(fanout, new DeploymentOptions().setConfig(conf))
          .await(60, TimeUnit.SECONDS))
          .as("the fanout refuses to start").hasMessageContaining("Authentication failed");
      assertThat(fanout.ready()).isFalse();
      assertThatThrownBy(() -> vertx.deployVerticle(new IngestVerticle(), new DeploymentOptions().setConfig(conf))
          .await(60, TimeUnit.SECONDS))
          .as("the ingest refuses to start").hasMessageContaining("Authentication failed");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aBrokerCertificateNotSignedByTheConfiguredCaFailsTheStart() {
    Vertx vertx = Vertx.vertx();
    try {
      // The right password, but no kafka.ssl-ca-file: the JVM's trust store does not know the broker's CA.
      JsonObject conf = new JsonObject().put("kafka.bootstrap-servers", tlsBroker.securedBootstrapServers())
          .put("kafka.security-protocol", "sasl_ssl").put("kafka.sasl-mechanism", "scram-sha-512")
          .put("kafka.sasl-username", USER).put("kafka.sasl-password", PASSWORD)
          .put("topic.name", "tls-refused").put("fanout.port", 0).put("fanout.admin-port", 0);
      assertThatThrownBy(() -> vertx.deployVerticle(new FanoutVerticle(), new DeploymentOptions().setConfig(conf))
          .await(60, TimeUnit.SECONDS))
          .as("the fanout refuses to start").hasMessageContaining("SSL handshake failed");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void printConfigMasksThePassword() throws Exception {
    StringWriter out = new StringWriter();
    List<String> args = new java.util.ArrayList<>(List.of("--print-config"));
    args.addAll(securityFlags("sasl_plaintext", USER));
    assertThat(LocalStackMain.start(args.toArray(String[]::new), Map.of("TICKSTREAM_KAFKA_SASL_PASSWORD", PASSWORD),
        new PrintWriter(out))).isEmpty();
    assertThat(out.toString()).doesNotContain(PASSWORD).containsPattern("kafka\\.sasl-password +\\*{8} +env TICKSTREAM_KAFKA_SASL_PASSWORD")
        .contains("kafka.sasl-username").contains(USER);
  }
}
