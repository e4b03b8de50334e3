package io.tickstream.fanout;

import io.tickstream.common.config.Setting;

import java.time.Duration;
import java.util.List;

/**
 * Who may connect to the client port: the Origin allowlist and the optional client keys (API keys or JWTs). Keys
 * {@code fanout.allowed-origins} and {@code fanout.auth.*}; part of {@link FanoutSettings#ALL}. Defaults are for
 * local use (any origin, no keys: market data is public); docs/security/keys-and-origin.md says what to set in
 * production.
 */
public final class AccessSettings {

  /** Any origin: for local use. A production node lists the origins of its web pages. */
  public static final List<String> DEFAULT_ALLOWED_ORIGINS = List.of("*");
  public static final String AUTH_NONE = "none";
  public static final String AUTH_API_KEY = "api-key";
  public static final String AUTH_JWT = "jwt";
  /** Files are re-read this often: a revoked key's connections close within about this long. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);
  public static final String DEFAULT_JWT_ALGORITHM = "RS256";
  /** What fanout.auth.jwt.algorithm may be with a public key: signatures a public key can only verify. */
  public static final List<String> ASYMMETRIC_JWT_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384",
      "PS512", "ES256", "ES384", "ES512", "ES256K", "EdDSA");

  public static final Setting<List<String>> ALLOWED_ORIGINS = Setting.ofList("fanout.allowed-origins",
      DEFAULT_ALLOWED_ORIGINS,
      "Origins whose pages may open WebSockets and SockJS sessions (a request without an Origin header, a native client, "
      + "is always allowed): * for any, exact origins such as https://app.example.com, or https://*.example.com for its "
      + "subdomains. Others are refused with 403 before the upgrade. SockJS CORS answers credentials only to listed "
      + "origins, never through *. Set this in production.");
  public static final Setting<String> AUTH = Setting.ofChoice("fanout.auth", AUTH_NONE,
      List.of(AUTH_NONE, AUTH_API_KEY, AUTH_JWT),
      "Client keys on the upgrade: none (market data is public), api-key (fanout.auth.keys-file) or jwt (fanout.auth.jwt.*). "
      + "A key comes as the X-MBX-APIKEY header, Authorization: Bearer, or the apiKey (or token) query parameter.");
  public static final Setting<String> KEYS_FILE = Setting.ofString("fanout.auth.keys-file", null,
      "JSON file of API keys (SHA-256 hashes, per-key connection limits and symbols), re-read every "
      + "fanout.auth.reload-interval; a key removed from it has its connections closed with 1008.");
  public static final Setting<String> REVOKED_FILE = Setting.ofString("fanout.auth.revoked-file", null,
      "With fanout.auth=jwt: a text file of revoked token ids (jti) or subjects (sub), one a line, re-read every "
      + "fanout.auth.reload-interval; live connections of a revoked token are closed with 1008.");
  public static final Setting<Duration> RELOAD_INTERVAL = Setting.ofDuration("fanout.auth.reload-interval",
      DEFAULT_RELOAD_INTERVAL, "How often the keys file and the revocation file are re-read (asynchronously).");
  public static final Setting<String> JWT_PUBLIC_KEY = Setting.ofString("fanout.auth.jwt.public-key", null,
      "PEM file of the public key JWTs are verified with (with fanout.auth.jwt.algorithm, RS256 by default).");
  public static final Setting<String> JWT_ALGORITHM = Setting.ofString("fanout.auth.jwt.algorithm", DEFAULT_JWT_ALGORITHM,
      "Algorithm of fanout.auth.jwt.public-key, an asymmetric one: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, "
      + "ES512, ES256K or EdDSA (HS256 with a public key would make it a signing secret: the start fails).");
  public static final Setting<String> JWT_JWKS_FILE = Setting.ofString("fanout.auth.jwt.jwks-file", null,
      "JSON Web Key Set file ({\"keys\":[...]}) JWTs are verified with, instead of or besides a PEM key.");
  /** A file, not the secret itself: a setting's value is printed by --print-config and logged at start. */
  public static final Setting<String> JWT_HMAC_SECRET_FILE = Setting.ofString("fanout.auth.jwt.hmac-secret-file", null,
      "File holding the shared secret of HS256 JWTs (its content, trimmed); prefer a public key: whoever can verify with a "
      + "shared secret can also sign.");
  public static final Setting<String> JWT_ISSUER = Setting.ofString("fanout.auth.jwt.issuer", null,
      "If set, a JWT's iss must equal it.");
  public static final Setting<String> JWT_AUDIENCE = Setting.ofString("fanout.auth.jwt.audience", null,
      "Required with fanout.auth=jwt: a JWT's aud must contain it, so tokens the issuer signs for other services are refused.");

  public static final List<Setting<?>> ALL = List.of(ALLOWED_ORIGINS, AUTH, KEYS_FILE, REVOKED_FILE, RELOAD_INTERVAL,
      JWT_PUBLIC_KEY, JWT_ALGORITHM, JWT_JWKS_FILE, JWT_HMAC_SECRET_FILE, JWT_ISSUER, JWT_AUDIENCE);

  private AccessSettings() {
  }
}
