package io.tickstream.fanout.impl.access;

import io.tickstream.common.config.Config;
import io.tickstream.fanout.AccessSettings;
import io.tickstream.fanout.FanoutSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A node whose access settings cannot work refuses to start, saying which setting and why. */
class ClientAccessConfigTest {

  private final Vertx vertx = Vertx.vertx();
  @TempDir
  Path dir;

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private String startFailure(Config c) throws Exception {
    Future<ClientAccess> f = ClientAccess.start(vertx, c, null);
    Throwable e = f.transform(ar -> Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);
    assertThat(e).as("start fails").isNotNull();
    return e.getMessage();
  }

  private static Config defaults() {
    return Config.defaults(FanoutSettings.ALL);
  }

  @Test
  void apiKeysWithoutAKeysFile() throws Exception {
    assertThat(startFailure(defaults().with(AccessSettings.AUTH, "api-key"))).contains("fanout.auth.keys-file");
  }

  @Test
  void aMissingOrMalformedKeysFile() throws Exception {
    Config c = defaults().with(AccessSettings.AUTH, "api-key");
    assertThat(startFailure(c.with(AccessSettings.KEYS_FILE, dir.resolve("absent.json").toString()))).contains("absent.json");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"keys\":[{\"id\":\"x\",\"sha256\":\"not-hex\"}]}");
    assertThat(startFailure(c.with(AccessSettings.KEYS_FILE, bad.toString()))).contains("sha256").contains("bad.json");
  }

  @Test
  void jwtWithoutAKeyOrWithAShortSecret() throws Exception {
    Config c = defaults().with(AccessSettings.AUTH, "jwt").with(AccessSettings.JWT_AUDIENCE, "tickstream");
    assertThat(startFailure(c)).contains("fanout.auth.jwt.public-key");
    Path secret = dir.resolve("short.secret");
    Files.writeString(secret, "short");
    assertThat(startFailure(c.with(AccessSettings.JWT_HMAC_SECRET_FILE, secret.toString()))).contains("32");
  }

  @Test
  void jwtWithoutAnAudienceWithASymmetricAlgorithmForAPublicKeyOrWithASecretInAKeySet() throws Exception {
    Path publicKey = dir.resolve("public.pem");
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
        .encodeToString(g.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    Config c = defaults().with(AccessSettings.AUTH, "jwt").with(AccessSettings.JWT_PUBLIC_KEY, publicKey.toString());
    assertThat(startFailure(c)).startsWith("fanout.auth=jwt needs fanout.auth.jwt.audience");
    Config withAudience = c.with(AccessSettings.JWT_AUDIENCE, "tickstream");
    // HS256 "verified" with a public key would make the public key the signing secret.
    assertThat(startFailure(withAudience.with(AccessSettings.JWT_ALGORITHM, "HS256")))
        .startsWith("fanout.auth.jwt.algorithm must be one of [RS256");
    Path jwks = dir.resolve("secret.jwks");
    Files.writeString(jwks, "{\"keys\":[{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}");
    assertThat(startFailure(defaults().with(AccessSettings.AUTH, "jwt").with(AccessSettings.JWT_AUDIENCE, "tickstream")
        .with(AccessSettings.JWT_JWKS_FILE, jwks.toString()))).contains("holds a symmetric (oct) key");
    ClientAccess a = ClientAccess.start(vertx, withAudience, null).await(10, TimeUnit.SECONDS);
    assertThat(a.toString()).contains("jwt");
    a.close();
  }

  @Test
  void anOriginThatIsNoOrigin() throws Exception {
    assertThat(startFailure(defaults().with(AccessSettings.ALLOWED_ORIGINS, List.of("example.com"))))
        .contains("example.com");
  }

  @Test
  void theDefaultsNeedNothing() throws Exception {
    ClientAccess a = ClientAccess.start(vertx, defaults(), null).await(10, TimeUnit.SECONDS);
    assertThat(a.toString()).contains("none");
    a.close();
  }
}
