package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.tickstream.fanout.AccessClients.Answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, keys as JWTs ({@code fanout.auth=jwt}): a valid token streams, an expired one or one with a bad signature
 * is refused with 401 before the upgrade; the {@code symbols} and {@code maxConnections} claims are honoured; listing a
 * token's {@code jti} in the revocation file closes its live connections with 1008. With an HMAC secret on both
 * WebSocket transports, and with an RSA public key from a PEM file.
 */
@ExtendWith(KafkaBrokerExtension.class)
class JwtKeyTest {

  private static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes!";
  private static final String AUDIENCE = "tickstream-test";
  @TempDir
  static Path dir;
  private static final Map<String, FanoutFixture> NODES = new HashMap<>();
  private static Path revoked;
  private static Vertx signer;
  private static JWTAuth hmac;
  private static JWTAuth rsa;
  private static JWTAuth otherRsa;

  @BeforeAll
  static void start() throws Exception {
    signer = Vertx.vertx();
    hmac = JWTAuth.create(signer, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    KeyPair pair = rsaPair();
    rsa = JWTAuth.create(signer, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
        .setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))));
    otherRsa = JWTAuth.create(signer, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
        .setBuffer(pem("PRIVATE KEY", rsaPair().getPrivate().getEncoded()))));
    Path publicKey = dir.resolve("public.pem");
    Files.writeString(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    Path secret = dir.resolve("hmac.secret");
    Files.writeString(secret, SECRET + "\n");
    revoked = dir.resolve("revoked.txt");
    Files.writeString(revoked, "# revoked token ids and subjects\n");
    for (String transport : List.of("channel", "vertx")) {
      NODES.put(transport, node("jwt-" + transport, new JsonObject().put("fanout.websocket-transport", transport)
          .put("fanout.auth.jwt.hmac-secret-file", secret.toString())));
    }
    NODES.put("rsa", node("jwt-rsa", new JsonObject().put("fanout.auth.jwt.public-key", publicKey.toString())));
  }

  private static FanoutFixture node(String name, JsonObject config) {
    FanoutFixture f = FanoutFixture.create(name, config.put("fanout.instances", 2).put("fanout.auth", "jwt")
        .put("fanout.auth.jwt.audience", AUDIENCE)
        .put("fanout.auth.revoked-file", revoked.toString()).put("fanout.auth.reload-interval", "100ms"));
    f.produce("BTCUSDT", 1);
    f.produce("ETHUSDT", 1);
    return f.deploy();
  }

  private static KeyPair rsaPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @AfterAll
  static void stop() {
    NODES.values().forEach(FanoutFixture::close);
    FanoutFixture.await(signer.close());
  }

  /** A token for this node's audience (unless the claims name another). */
  private static String token(JWTAuth auth, JsonObject claims, int expiresInSeconds) {
    JWTOptions options = new JWTOptions().setAlgorithm(auth == hmac ? "HS256" : "RS256").setExpiresInSeconds(expiresInSeconds);
    if (!claims.containsKey("aud")) {
      options.setAudience(List.of(AUDIENCE));
    }
    return auth.generateToken(claims, options);
  }

  /** Claims of a token entitled to every symbol. */
  private static JsonObject everything(String sub) {
    return new JsonObject().put("sub", sub).put("symbols", "*");
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void aValidTokenStreamsAndAnExpiredOrForgedOneIsRefusedWith401(String transport) {
    FanoutFixture node = NODES.get(transport);
    String valid = token(hmac, everything("acme"), 300);
    TestClient c = AccessClients.open(node, "/ws/btcusdt@bookTicker", bearer(valid));
    assertThat(c.next().getString("s")).isEqualTo("BTCUSDT");
    c.close();
    TestClient q = AccessClients.open(node, "/stream?streams=ethusdt@bookTicker&token=" + valid, Map.of());
    assertThat(q.next().getString("stream")).isEqualTo("ethusdt@bookTicker");
    q.close();

    long past = System.currentTimeMillis() / 1000 - 60;
    String expired = token(hmac, new JsonObject().put("sub", "acme").put("exp", past), 0);
    Answer a = AccessClients.refused(node, "/ws/btcusdt@bookTicker", bearer(expired));
    assertThat(a.status()).isEqualTo(401);
    assertThat(new JsonObject(a.body()).getJsonObject("error").getString("msg")).contains("expired");
    JWTAuth forger = JWTAuth.create(signer, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("HS256").setBuffer("another-secret-of-at-least-thirty-two-bytes")));
    String forged = forger.generateToken(new JsonObject().put("sub", "acme"), new JWTOptions().setAlgorithm("HS256"));
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker", bearer(forged)).status()).isEqualTo(401);
    String noSubject = token(hmac, new JsonObject(), 300);
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker", bearer(noSubject)).status()).isEqualTo(401);
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker", Map.of()).status()).isEqualTo(401);
  }

  @Test
  void anRsaPublicKeyFromAPemFileVerifiesTokens() {
    FanoutFixture node = NODES.get("rsa");
    TestClient c = AccessClients.open(node, "/ws/btcusdt@bookTicker", bearer(token(rsa, everything("acme"), 300)));
    assertThat(c.next().getString("s")).isEqualTo("BTCUSDT");
    c.close();
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker",
        bearer(token(otherRsa, new JsonObject().put("sub", "acme"), 300))).status()).isEqualTo(401);
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker",
        bearer(token(hmac, new JsonObject().put("sub", "acme"), 300))).status()).isEqualTo(401);
    long past = System.currentTimeMillis() / 1000 - 60;
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker",
        bearer(token(rsa, new JsonObject().put("sub", "acme").put("exp", past), 0))).status()).isEqualTo(401);
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void theSymbolsAndMaxConnectionsClaimsAreHonoured(String transport) {
    FanoutFixture node = NODES.get(transport);
    String token = token(hmac, new JsonObject().put("sub", "limited-" + transport).put("maxConnections", 1)
        .put("symbols", new JsonArray().add("BTCUSDT")), 300);
    assertThat(AccessClients.refused(node, "/ws/ethusdt@bookTicker", bearer(token)).status()).isEqualTo(403);
    assertThat(AccessClients.refused(node, "/ws/!bookTicker", bearer(token)).status()).isEqualTo(403);
    TestClient c = AccessClients.open(node, "/ws/btcusdt@bookTicker", bearer(token));
    assertThat(c.next().getString("s")).isEqualTo("BTCUSDT");
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker", bearer(token)).status()).isEqualTo(429);
    assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@bookTicker\"],\"id\":1}").getJsonObject("error")
        .getString("msg")).contains("not entitled");
    c.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"channel", "vertx"})
  void listingATokenIdInTheRevocationFileClosesItsConnectionsWith1008(String transport) throws Exception {
    FanoutFixture node = NODES.get(transport);
    String jti = "token-" + transport;
    String doomed = token(hmac, everything("revokee-" + transport).put("jti", jti), 300);
    String kept = token(hmac, everything("keeper-" + transport).put("jti", "kept-" + transport), 300);
    TestClient a = AccessClients.open(node, "/ws/btcusdt@bookTicker", bearer(doomed));
    TestClient b = AccessClients.open(node, "/ws/ethusdt@bookTicker?token=" + doomed, Map.of());
    TestClient other = AccessClients.open(node, "/ws/btcusdt@bookTicker", bearer(kept));
    a.next();
    b.next();
    other.next();
    Files.writeString(revoked, Files.readString(revoked) + jti + "\n");
    await().atMost(Duration.ofSeconds(20)).until(() -> a.closeStatus != null && b.closeStatus != null);
    assertThat(a.closeStatus).isEqualTo((short) 1008);
    assertThat(b.closeStatus).isEqualTo((short) 1008);
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker", bearer(doomed)).status()).isEqualTo(401);
    assertThat(other.isClosed()).isFalse();
    other.close();
  }

  @Test
  void aTokenThatExpiresWhileConnectedIsClosedWith1008() {
    FanoutFixture node = NODES.get("channel");
    long soon = System.currentTimeMillis() / 1000 + 2;
    TestClient c = AccessClients.open(node, "/ws/btcusdt@bookTicker",
        bearer(token(hmac, everything("short-lived").put("exp", soon), 0)));
    c.next();
    await().atMost(Duration.ofSeconds(20)).until(() -> c.closeStatus != null);
    assertThat(c.closeStatus).isEqualTo((short) 1008);
  }

  @Test
  void aTokenIsTrustedNarrowlyWithoutSymbolsItStreamsNothingAndForAnotherAudienceNothingAtAll() {
    FanoutFixture node = NODES.get("channel");
    String bare = token(hmac, new JsonObject().put("sub", "no-symbols"), 300);
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker", bearer(bare)).status()).isEqualTo(403);
    assertThat(AccessClients.refused(node, "/ws/!bookTicker", bearer(bare)).status()).isEqualTo(403);
    TestClient c = AccessClients.open(node, "/ws", bearer(bare));
    assertThat(c.request("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\"],\"id\":1}")
        .getJsonObject("error").getString("msg")).contains("not entitled");
    c.close();
    String elsewhere = token(hmac, everything("other-service").put("aud", "billing"), 300);
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker", bearer(elsewhere)).status()).isEqualTo(401);
    String noAudience = hmac.generateToken(everything("no-aud"), new JWTOptions().setAlgorithm("HS256"));
    assertThat(AccessClients.refused(node, "/ws/btcusdt@bookTicker", bearer(noAudience)).status()).isEqualTo(401);
  }
}
