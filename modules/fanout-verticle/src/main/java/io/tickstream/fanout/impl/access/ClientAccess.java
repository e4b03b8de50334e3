package io.tickstream.fanout.impl.access;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tickstream.common.config.Config;
import io.tickstream.common.protocol.ControlReplies;
import io.tickstream.common.stream.StreamName;
import io.tickstream.fanout.AccessSettings;
import io.tickstream.fanout.FanoutMetrics;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who may connect to this node's client port, decided before any upgrade: the Origin allowlist
 * ({@code fanout.allowed-origins}, see {@link OriginPolicy}) and, when {@code fanout.auth} is {@code api-key} or
 * {@code jwt}, a client key with its per-key connection limit and symbol entitlements. One per node, shared by
 * every server instance (the per-key counts and the reload timer are node-wide).
 *
 * <p>Refusals, each with a Binance-style JSON error body and counted in
 * {@code tickstream.fanout.access.refused{reason}}: an Origin not allowed 403; no key or a bad, expired or revoked
 * key 401; a key already holding its {@code maxConnections} on this node 429; a stream in the URL the key is not
 * entitled to 403. A SockJS session is checked on every request of it (Origin and key) and its key's limit when the
 * session opens (closed with 1008 past it: the HTTP exchange that opened it has already been answered).
 *
 * <p>Revocation: the keys file (api-key) or the revocation file (jwt) is re-read every
 * {@code fanout.auth.reload-interval}, asynchronously; a key removed (a {@code jti} or {@code sub} listed) has its live
 * connections on this node closed with 1008, each on its own loop. Every node reads its own copy of the files: mount
 * the same file on every node.
 *
 * <p>Threading: the checks run on the loop of the request and never block: an API key is a SHA-256 and a map lookup,
 * a JWT is verified in memory by vertx-auth-jwt (whose {@code authenticate} completes before it returns). Files are
 * read through {@link io.vertx.core.file.FileSystem}'s asynchronous API on the loop that created this object.
 */
public final class ClientAccess {

  private static final Logger log = LoggerFactory.getLogger(ClientAccess.class);
  private static final String JSON = "application/json";
  /** The header Binance's REST API takes keys in. */
  public static final String API_KEY_HEADER = "X-MBX-APIKEY";
  private static final String SEC_WEBSOCKET_ORIGIN = "Sec-WebSocket-Origin";
  /** Query parameters a key may come in (browsers cannot set headers on a WebSocket; SockJS keeps the query). */
  public static final List<String> KEY_PARAMS = List.of("apiKey", "token");
  /** Close code of a connection whose key was revoked or expired: policy violation. */
  public static final short CLOSE_KEY_REVOKED = 1008;
  /**
   * Close code asked for a SockJS session opened past its key's connection limit. Vert.x 5.0.7's SockJS sessions
   * (all transports but {@code /sockjs/websocket}) ignore it and send SockJS's {@code c[3000,"Go away!"]}.
   */
  public static final short CLOSE_KEY_LIMIT = 1008;

  /** Why a client was refused: the {@code reason} tag of {@code tickstream.fanout.access.refused}. */
  public enum Reason {
    ORIGIN("origin"), NO_KEY("no-key"), BAD_KEY("bad-key"), KEY_LIMIT("key-limit"), NOT_ENTITLED("not-entitled");

    final String tag;

    Reason(String tag) {
      this.tag = tag;
    }
  }

  private enum Mode { NONE, API_KEY, JWT }

  private final Vertx vertx;
  private final OriginPolicy origins;
  private final Mode mode;
  private final KeyLeases leases = new KeyLeases();
  private final Map<Reason, Counter> refused = new EnumMap<>(Reason.class);
  private final Counter reloadFailures;
  private final MeterRegistry registry;
  private final JWTAuth jwt;
  private final String file;
  private volatile Map<String, Grant> keys = Map.of();
  private volatile Set<String> revoked = Set.of();
  private Buffer lastContent;
  private long timer = -1;

  private ClientAccess(Vertx vertx, OriginPolicy origins, Mode mode, JWTAuth jwt, String file, MeterRegistry registry) {
    this.vertx = vertx;
    this.origins = origins;
    this.mode = mode;
    this.jwt = jwt;
    this.file = file;
    this.registry = registry;
    for (Reason r : Reason.values()) {
      refused.put(r, registry == null ? null : Counter.builder(FanoutMetrics.ACCESS_REFUSED).tag("reason", r.tag)
          .description("upgrades and SockJS requests refused by the Origin allowlist or the client keys").register(registry));
    }
    reloadFailures = registry == null ? null : Counter.builder(FanoutMetrics.ACCESS_RELOAD_FAILURES)
        .description("re-reads of the keys or revocation file that failed (the previous contents stay in force)")
        .register(registry);
  }

  /** Any origin, no keys: what a node without these settings (and a test building a node by hand) does. */
  public static ClientAccess open() {
    return new ClientAccess(null, OriginPolicy.of(AccessSettings.DEFAULT_ALLOWED_ORIGINS), Mode.NONE, null, null, null);
  }

  /**
   * Builds the node's access from its settings, reads the keys or revocation file once (failing the start if it is
   * missing or malformed) and starts re-reading it. Call on the verticle's event loop.
   */
  public static Future<ClientAccess> start(Vertx vertx, Config config, MeterRegistry registry) {
    ClientAccess access;
    try {
      OriginPolicy origins = OriginPolicy.of(config.get(AccessSettings.ALLOWED_ORIGINS));
      Mode mode = switch (config.get(AccessSettings.AUTH)) {
        case AccessSettings.AUTH_API_KEY -> Mode.API_KEY;
        case AccessSettings.AUTH_JWT -> Mode.JWT;
        default -> Mode.NONE;
      };
      String file = switch (mode) {
        case API_KEY -> required(config, AccessSettings.KEYS_FILE.key(), config.get(AccessSettings.KEYS_FILE));
        case JWT -> config.get(AccessSettings.REVOKED_FILE);
        case NONE -> null;
      };
      JWTAuth jwt = mode == Mode.JWT ? jwtAuth(vertx, config) : null;
      access = new ClientAccess(vertx, origins, mode, jwt, file, registry);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (access.file == null) {
      return Future.succeededFuture(access);
    }
    return access.reload().map(v -> {
      long interval = Math.max(10, config.get(AccessSettings.RELOAD_INTERVAL).toMillis());
      access.timer = vertx.setPeriodic(interval, id -> access.reload().onFailure(e -> {
        access.count(access.reloadFailures);
        log.error("Keeping the previous client keys: cannot re-read {}: {}", access.file, e.getMessage());
      }));
      return access;
    });
  }

  private static String required(Config config, String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " must be set when fanout.auth=" + config.get(AccessSettings.AUTH));
    }
    return value;
  }

  private static JWTAuth jwtAuth(Vertx vertx, Config config) {
    JWTAuthOptions options = new JWTAuthOptions();
    JWTOptions verify = new JWTOptions();
    String issuer = config.get(AccessSettings.JWT_ISSUER);
    if (issuer != null && !issuer.isBlank()) {
      verify.setIssuer(issuer);
    }
    String audience = config.get(AccessSettings.JWT_AUDIENCE);
    if (audience == null || audience.isBlank()) {
      // Without it, a token the same issuer signed for any other service of its would open connections here.
      throw new IllegalArgumentException("fanout.auth=jwt needs fanout.auth.jwt.audience: the aud a token must carry "
          + "to be accepted here (tokens the same issuer signs for other services are refused)");
    }
    verify.setAudience(List.of(audience));
    options.setJWTOptions(verify);
    boolean any = false;
    String pem = config.get(AccessSettings.JWT_PUBLIC_KEY);
    if (pem != null && !pem.isBlank()) {
      String algorithm = config.get(AccessSettings.JWT_ALGORITHM);
      if (!AccessSettings.ASYMMETRIC_JWT_ALGORITHMS.contains(algorithm)) {
        // HS256 with a public key would make the public key the signing secret: anyone could sign tokens.
        throw new IllegalArgumentException(AccessSettings.JWT_ALGORITHM.key() + " must be one of "
            + AccessSettings.ASYMMETRIC_JWT_ALGORITHMS + " with a public key, not " + algorithm
            + " (a shared secret goes in fanout.auth.jwt.hmac-secret-file)");
      }
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm)
          .setBuffer(readConfigFile(vertx, AccessSettings.JWT_PUBLIC_KEY.key(), pem)));
      any = true;
    }
    String secretFile = config.get(AccessSettings.JWT_HMAC_SECRET_FILE);
    if (secretFile != null && !secretFile.isBlank()) {
      String secret = readConfigFile(vertx, AccessSettings.JWT_HMAC_SECRET_FILE.key(), secretFile).strip();
      if (secret.length() < 32) {
        throw new IllegalArgumentException(AccessSettings.JWT_HMAC_SECRET_FILE.key() + ": " + secretFile
            + " holds fewer than 32 characters: too short a secret for HS256");
      }
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret));
      any = true;
    }
    String jwks = config.get(AccessSettings.JWT_JWKS_FILE);
    if (jwks != null && !jwks.isBlank()) {
      JsonArray set = new JsonObject(readConfigFile(vertx, AccessSettings.JWT_JWKS_FILE.key(), jwks)).getJsonArray("keys");
      if (set == null) {
        throw new IllegalArgumentException(AccessSettings.JWT_JWKS_FILE.key() + ": " + jwks + " has no \"keys\" array");
      }
      List<JsonObject> list = new ArrayList<>();
      for (Object k : set) {
        if (k instanceof JsonObject key && "oct".equals(key.getString("kty"))) {
          // A key set is public material: a shared secret in it would let whoever reads the file sign tokens.
          throw new IllegalArgumentException(AccessSettings.JWT_JWKS_FILE.key() + ": " + jwks + " holds a symmetric (oct) "
              + "key; a key set holds public keys only (a shared secret goes in fanout.auth.jwt.hmac-secret-file)");
        }
        list.add((JsonObject) k);
      }
      options.setJwks(list);
      any = true;
    }
    if (!any) {
      throw new IllegalArgumentException("fanout.auth=jwt needs fanout.auth.jwt.public-key, fanout.auth.jwt.jwks-file or "
          + "fanout.auth.jwt.hmac-secret-file");
    }
    try {
      return JWTAuth.create(vertx, options);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("fanout.auth.jwt: cannot use the key: " + e.getMessage(), e);
    }
  }

  /** Key material read once at start (the start may block briefly; the loop serves nobody yet). */
  private static String readConfigFile(Vertx vertx, String key, String path) {
    try {
      return vertx.fileSystem().readFileBlocking(path).toString();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + ": cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Reads the file; applies it if it changed. Fails (keeping what is in force) if it is missing or malformed. */
  private Future<Void> reload() {
    return vertx.fileSystem().readFile(file).compose(content -> {
      if (content.equals(lastContent)) {
        return Future.succeededFuture();
      }
      try {
        if (mode == Mode.API_KEY) {
          applyKeys(KeyFile.parse(content));
        } else {
          applyRevoked(parseRevoked(content));
        }
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new IllegalArgumentException(file + ": " + e.getMessage()));
      }
      lastContent = content;
      return Future.succeededFuture();
    });
  }

  private void applyKeys(Map<String, Grant> next) {
    keys = next;
    leases.forEach(lease -> {
      Grant now = lease.grant();
      Grant g = next.get(now.credentialId());
      if (g == null || !g.keyId().equals(now.keyId())) {
        log.info("Client key {} was removed: closing its connection", now.keyId());
        lease.revoke();
      } else if (!g.equals(now)) {
        if (!g.covers(now)) {
          log.info("Client key {} lost entitlements: its connections drop the streams outside them", now.keyId());
        }
        lease.grant(g);
      }
    });
  }

  private void applyRevoked(Set<String> next) {
    revoked = next;
    leases.forEach(lease -> {
      if (isRevoked(lease.grant())) {
        log.info("Token of {} was revoked: closing its connection", lease.grant().keyId());
        lease.revoke();
      }
    });
  }

  private boolean isRevoked(Grant g) {
    Set<String> r = revoked;
    return r.contains(g.keyId()) || (g.credentialId() != null && r.contains(g.credentialId()));
  }

  /** One token id or subject a line; blank lines and {@code #} comments are skipped. */
  private static Set<String> parseRevoked(Buffer content) {
    Set<String> set = new HashSet<>();
    for (String line : content.toString().split("\n")) {
      String s = line.strip();
      if (!s.isEmpty() && !s.startsWith("#")) {
        set.add(s);
      }
    }
    return Set.copyOf(set);
  }

  /** Stops re-reading the files and removes this node's meters. */
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (registry != null) {
      refused.values().forEach(registry::remove);
      registry.remove(reloadFailures);
    }
  }

  // ---- WebSocket upgrades (/ws, /stream) ----

  /** True if the request's Origin may connect; else answers 403 and returns false. */
  public boolean checkOrigin(HttpServerRequest req) {
    String origin = req.getHeader(HttpHeaders.ORIGIN);
    if (origin == null) {
      // Draft hybi-08 (Sec-WebSocket-Version 8, which this node still accepts) named it so.
      origin = req.getHeader(SEC_WEBSOCKET_ORIGIN);
    }
    if (origins.allows(origin)) {
      return true;
    }
    refuse(req.response(), Reason.ORIGIN, 403, "Forbidden: origin " + origin + " is not allowed");
    return false;
  }

  /**
   * The lease the connection about to be upgraded holds, or null after answering 401 (no key, bad key), 403 (a stream
   * the key is not entitled to) or 429 (the key's connection limit). The caller releases it if the upgrade then
   * fails, and otherwise attaches it to the session.
   */
  public Lease admit(HttpServerRequest req, List<StreamName> streams) {
    if (mode == Mode.NONE) {
      return Lease.PUBLIC;
    }
    String credential = credential(req.headers(), req::getParam);
    Grant grant = authenticate(req.response(), credential);
    if (grant == null) {
      return null;
    }
    for (StreamName s : streams) {
      if (!grant.permits(s)) {
        refuse(req.response(), Reason.NOT_ENTITLED, 403, "Forbidden: this key is not entitled to stream " + s);
        return null;
      }
    }
    Lease lease = leases.acquire(grant);
    if (lease == null) {
      refuse(req.response(), Reason.KEY_LIMIT, 429,
          "Too many connections: this key may hold " + grant.maxConnections() + " on this node");
    } else if (!current(grant)) {
      lease.release();
      refuse(req.response(), Reason.BAD_KEY, 401, "Unauthorized: this key was just revoked");
      return null;
    }
    return lease;
  }

  /**
   * Still valid after its lease was taken? A reload publishes the new keys before it looks for leases to revoke, so a
   * lease taken on the old keys is either seen by that look or fails this check: none slips through.
   */
  private boolean current(Grant grant) {
    if (mode == Mode.API_KEY) {
      Grant now = keys.get(grant.credentialId());
      return now != null && now.keyId().equals(grant.keyId());
    }
    return !isRevoked(grant);
  }

  // ---- SockJS ----

  /**
   * The first handler of {@code /sockjs/*}: refuses an Origin not allowed (403) and, with keys on, a request without a
   * valid key (401), on every request of a session (info, every xhr, the websocket upgrade); and makes sure SockJS's
   * CORS answer carries credentials only for a listed origin.
   */
  public void handleSockJS(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String origin = req.getHeader(HttpHeaders.ORIGIN);
    if (!origins.allows(origin)) {
      refuse(ctx.response(), Reason.ORIGIN, 403, "Forbidden: origin " + origin + " is not allowed");
      return;
    }
    if (origin != null) {
      boolean listed = origins.listed(origin);
      // SockJS echoes any Origin with Access-Control-Allow-Credentials: true; rewrite that as its headers leave.
      ctx.addHeadersEndHandler(v -> cors(ctx.response().headers(), origin, listed));
    }
    if (mode != Mode.NONE && !req.method().name().equals("OPTIONS")
        && authenticate(ctx.response(), credential(req.headers(), req::getParam)) == null) {
      return;
    }
    ctx.next();
  }

  /**
   * A listed origin gets itself and credentials (sockjs-client sends its cross-origin XHRs with credentials, which a
   * browser accepts only so); any other allowed origin gets {@code *} without credentials, which serves clients that
   * send none (and leaves a browser page's credentialed XHR refused by the browser: list its origin).
   */
  static void cors(MultiMap headers, String origin, boolean listed) {
    if (listed) {
      headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      headers.add(HttpHeaders.VARY, HttpHeaders.ORIGIN);
    } else {
      headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
      headers.remove(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS);
    }
  }

  /**
   * The lease of a SockJS session that just opened (its requests already passed {@link #handleSockJS}), or null after
   * closing it with {@link #CLOSE_KEY_LIMIT} (the key's limit) or {@link #CLOSE_KEY_REVOKED} (its key went in
   * between).
   */
  public Lease admit(SockJSSocket socket) {
    if (mode == Mode.NONE) {
      return Lease.PUBLIC;
    }
    QueryStringDecoder query = new QueryStringDecoder(socket.uri());
    String credential = credential(socket.headers(), name -> {
      List<String> v = query.parameters().get(name);
      return v == null || v.isEmpty() ? null : v.getFirst();
    });
    Grant grant = verify(credential);
    if (grant == null) {
      count(refused.get(Reason.BAD_KEY));
      socket.close(CLOSE_KEY_REVOKED, "Invalid API key");
      return null;
    }
    Lease lease = leases.acquire(grant);
    if (lease == null) {
      count(refused.get(Reason.KEY_LIMIT));
      socket.close(CLOSE_KEY_LIMIT, "Too many connections for this key");
    } else if (!current(grant)) {
      lease.release();
      count(refused.get(Reason.BAD_KEY));
      socket.close(CLOSE_KEY_REVOKED, "API key revoked");
      return null;
    }
    return lease;
  }

  // ---- keys ----

  /** The key a request presents: {@code X-MBX-APIKEY}, else {@code Authorization: Bearer}, else a query parameter. */
  static String credential(MultiMap headers, java.util.function.Function<String, String> param) {
    String key = headers.get(API_KEY_HEADER);
    if (key == null) {
      String auth = headers.get(HttpHeaders.AUTHORIZATION);
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        key = auth.substring(7);
      }
    }
    for (int i = 0; key == null && i < KEY_PARAMS.size(); i++) {
      key = param.apply(KEY_PARAMS.get(i));
    }
    return key == null || key.isBlank() ? null : key.trim();
  }

  /** The key's grant, or null after answering 401. */
  private Grant authenticate(HttpServerResponse response, String credential) {
    if (credential == null) {
      response.putHeader("WWW-Authenticate", "Bearer");
      refuse(response, Reason.NO_KEY, 401, "Unauthorized: an API key is required (" + API_KEY_HEADER
          + " header, Authorization: Bearer, or the apiKey query parameter)");
      return null;
    }
    Grant grant = verify(credential);
    if (grant == null) {
      response.putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      refuse(response, Reason.BAD_KEY, 401, mode == Mode.JWT
          ? "Unauthorized: invalid, expired or revoked token" : "Unauthorized: invalid API key");
    }
    return grant;
  }

  /** Null if the key is unknown, or the token invalid, expired or revoked. */
  private Grant verify(String credential) {
    if (credential == null) {
      return null;
    }
    if (mode == Mode.API_KEY) {
      return keys.get(KeyFile.sha256(credential));
    }
    Future<User> user = jwt.authenticate(new TokenCredentials(credential));
    if (!user.succeeded()) {
      // Failed, or (not so in vertx-auth-jwt 5.0.7, which verifies in memory) not complete yet: refused either way.
      return null;
    }
    JsonObject claims = user.result().attributes().getJsonObject("accessToken", new JsonObject());
    String sub = claims.getString("sub");
    if (sub == null || sub.isBlank()) {
      return null;
    }
    Object max = claims.getValue("maxConnections");
    long exp = claims.getValue("exp") instanceof Number n ? n.longValue() * 1000 : 0;
    // No symbols claim: no entitlement (a token must say "*" to stream everything).
    Object symbols = claims.getValue("symbols");
    try {
      Grant g = KeyFile.grant(sub, claims.getString("jti"), max instanceof Number n ? Math.max(0, n.intValue()) : 0,
          symbols == null ? new JsonArray() : symbols, exp);
      return isRevoked(g) ? null : g;
    } catch (IllegalArgumentException | ClassCastException e) {
      return null;
    }
  }

  private void refuse(HttpServerResponse response, Reason reason, int status, String msg) {
    count(refused.get(reason));
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(ControlReplies.error(ControlReplies.INVALID_REQUEST, msg, null));
  }

  private static void count(Counter c) {
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public String toString() {
    return "ClientAccess[" + mode.name().toLowerCase(Locale.ROOT) + "]";
  }
}
