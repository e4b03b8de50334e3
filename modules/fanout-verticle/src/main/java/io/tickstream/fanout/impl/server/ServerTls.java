package io.tickstream.fanout.impl.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickstream.common.config.Config;
import io.tickstream.fanout.FanoutMetrics;
import io.tickstream.fanout.FanoutSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.impl.KeyStoreHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * TLS on a node's client port: the certificate chain and key from PEM files ({@code fanout.tls-cert},
 * {@code fanout.tls-key}), TLS 1.3/1.2 only ({@code fanout.tls-protocols}), and the pair <b>reloaded when the files
 * change</b> without dropping a connection. One instance per node, shared by its server instances (one per event
 * loop): {@link #configure} turns TLS on in each one's options, {@link #register} enrols each listening server, and
 * every reload updates every enrolled server, so whichever loop accepts a new connection presents the new pair.
 *
 * <p>How a change is seen: every {@code fanout.tls-reload-interval} both files are read (asynchronously, a few KiB)
 * and compared byte for byte with the pair last tried. Contents, not timestamps: a Kubernetes secret volume swaps a
 * symlink, certbot renames files, and a coarse mtime can miss a rewrite. A changed pair is parsed and checked on a
 * worker thread (a chain that parses, a key that parses, and a key that <i>belongs to</i> the leaf certificate: a
 * signature made with the key must verify with the certificate), and only then given to
 * {@link HttpServer#updateSSLOptions}, which affects new handshakes only: open connections keep the session they have.
 * A half-written file (the certificate replaced, the key not yet) fails the check, is logged and counted
 * ({@code tickstream.fanout.tls.reloads{result=failed}}) and the old pair stays in service; the next read, once the
 * second file has been written, sees a changed pair again and succeeds.
 *
 * <p>Why ALPN stays off: clients get HTTP/1.1, the only version whose upgrade the WebSocket paths handle.
 *
 * <p>Threading: {@link #start} and {@link #stop} on the verticle's context; {@link #configure}, {@link #register} and
 * {@link #unregister} from any server instance's context (the registry is a copy-on-write list); reloads run on the
 * context that called {@link #start}, their checks on a worker. Never blocks an event loop.
 */
public final class ServerTls {

  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
  /** The only versions {@code fanout.tls-protocols} may name. */
  static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

  /** No TLS: {@link #configure} leaves the options alone. */
  public static final ServerTls OFF = new ServerTls(null, null, null, 0, Set.of(), null);

  private final Vertx vertx;
  private final String certPath;
  private final String keyPath;
  private final long reloadMillis;
  private final Set<String> protocols;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final Counter reloadsOk;
  private final Counter reloadsFailed;
  /** The pair in service; replaced (never mutated) on the start context. */
  private volatile PemKeyCertOptions current;
  private volatile long notAfterSeconds = -1;
  /** The bytes last tried, good or bad: a bad pair is not retried (nor logged again) until a file changes. */
  private Buffer lastCert;
  private Buffer lastKey;
  private long timer = -1;
  private boolean reloading;

  private ServerTls(Vertx vertx, String certPath, String keyPath, long reloadMillis, Set<String> protocols,
                    MeterRegistry registry) {
    this.vertx = vertx;
    this.certPath = certPath;
    this.keyPath = keyPath;
    this.reloadMillis = reloadMillis;
    this.protocols = protocols;
    if (registry != null) {
      reloadsOk = Counter.builder(FanoutMetrics.TLS_RELOADS).tag("result", "ok")
          .description("Changed TLS certificate and key pairs put in service").register(registry);
      reloadsFailed = Counter.builder(FanoutMetrics.TLS_RELOADS).tag("result", "failed")
          .description("Changed TLS certificate and key pairs refused (unreadable, invalid, or not matching); the old pair stays")
          .register(registry);
      Gauge.builder(FanoutMetrics.TLS_CERT_EXPIRY, this, t -> t.notAfterSeconds)
          .description("Expiry of the TLS certificate in service, seconds since the epoch").register(registry);
    } else {
      reloadsOk = null;
      reloadsFailed = null;
    }
  }

  /**
   * The TLS of the node {@code config} describes: {@link #OFF} when neither file is set.
   *
   * @throws IllegalArgumentException when only one of the two files is set, or a protocol is not TLSv1.3 or TLSv1.2
   */
  public static ServerTls of(Vertx vertx, Config config, MeterRegistry registry) {
    String cert = blankToNull(config.get(FanoutSettings.TLS_CERT));
    String key = blankToNull(config.get(FanoutSettings.TLS_KEY));
    if (cert == null && key == null) {
      return OFF;
    }
    if (cert == null || key == null) {
      throw new IllegalArgumentException("fanout.tls-cert and fanout.tls-key go together: set both to serve TLS, or neither");
    }
    Set<String> protocols = new LinkedHashSet<>();
    for (String p : config.get(FanoutSettings.TLS_PROTOCOLS)) {
      String named = ALLOWED_PROTOCOLS.stream().filter(a -> a.equalsIgnoreCase(p)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("fanout.tls-protocols: '" + p + "' is not accepted; use TLSv1.3 and/or TLSv1.2"));
      protocols.add(named);
    }
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("fanout.tls-protocols: name at least one of TLSv1.3, TLSv1.2");
    }
    return new ServerTls(vertx, cert, key, config.get(FanoutSettings.TLS_RELOAD_INTERVAL).toMillis(),
        Collections.unmodifiableSet(protocols), registry);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  public boolean enabled() {
    return certPath != null;
  }

  /**
   * Loads and checks the pair, then starts watching the files. Fails (and the node does not start) when the files
   * cannot be read or do not make a valid pair: serving plain text instead would be worse than not serving.
   */
  public Future<Void> start() {
    if (!enabled()) {
      return Future.succeededFuture();
    }
    return read().compose(pair -> check(pair[0], pair[1]).map(checked -> {
      lastCert = pair[0];
      lastKey = pair[1];
      current = checked.options;
      notAfterSeconds = checked.notAfterSeconds;
      log.info("TLS on the client port: {} ({}), key {}, protocols {}; reloaded when the files change (every {} ms)",
          certPath, checked.subject, keyPath, protocols, reloadMillis);
      if (reloadMillis > 0) {
        timer = vertx.setPeriodic(reloadMillis, id -> reloadIfChanged());
      }
      return (Void) null;
    })).recover(e -> Future.failedFuture(new IllegalArgumentException(
        "fanout.tls-cert/fanout.tls-key: cannot serve TLS with " + certPath + " and " + keyPath + ": " + e.getMessage(), e)));
  }

  /** Stops watching the files; servers keep the pair they have. */
  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Turns TLS on in {@code options} with the pair in service (no-op when off); call after {@link #start}. */
  public HttpServerOptions configure(HttpServerOptions options) {
    if (!enabled()) {
      return options;
    }
    return options.setSsl(true).setUseAlpn(false).setKeyCertOptions(current)
        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(protocols));
  }

  /** Enrols a listening server: later reloads update it. */
  public void register(HttpServer server) {
    if (enabled()) {
      servers.add(server);
    }
  }

  public void unregister(HttpServer server) {
    servers.remove(server);
  }

  /**
   * Reads both files now and, if either changed since the last try, checks the pair and updates every server.
   * Completes with {@code true} when a new pair went into service, {@code false} when nothing changed or the new pair
   * was refused. Called by the timer; tests call it to avoid waiting for the interval.
   */
  public Future<Boolean> reloadIfChanged() {
    if (!enabled() || reloading) {
      return Future.succeededFuture(false);
    }
    reloading = true;
    return read().compose(pair -> {
      if (pair[0].equals(lastCert) && pair[1].equals(lastKey)) {
        return Future.succeededFuture(false);
      }
      lastCert = pair[0];
      lastKey = pair[1];
      return check(pair[0], pair[1]).compose(this::apply);
    }).recover(e -> {
      reloadsFailed.increment();
      log.warn("TLS: the changed certificate/key pair ({}, {}) was not put in service, the previous one stays: {}",
          certPath, keyPath, e.getMessage());
      return Future.succeededFuture(false);
    }).onComplete(ar -> reloading = false);
  }

  private Future<Boolean> apply(Checked checked) {
    ServerSSLOptions ssl = new ServerSSLOptions().setKeyCertOptions(checked.options).setUseAlpn(false)
        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(protocols));
    List<Future<Boolean>> updates = new ArrayList<>();
    for (HttpServer server : servers) {
      updates.add(server.updateSSLOptions(ssl));
    }
    return Future.all(updates).map(all -> {
      current = checked.options;
      notAfterSeconds = checked.notAfterSeconds;
      reloadsOk.increment();
      log.info("TLS: new certificate in service for new connections ({}, expires {}); open connections keep theirs",
          checked.subject, java.time.Instant.ofEpochSecond(checked.notAfterSeconds));
      return true;
    });
  }

  private Future<Buffer[]> read() {
    Future<Buffer> cert = vertx.fileSystem().readFile(certPath);
    Future<Buffer> key = vertx.fileSystem().readFile(keyPath);
    return Future.all(cert, key).map(all -> new Buffer[] {cert.result(), key.result()});
  }

  private record Checked(PemKeyCertOptions options, String subject, long notAfterSeconds) {
  }

  /** Parses and checks the pair on a worker thread; fails with the reason when it would not serve. */
  private Future<Checked> check(Buffer cert, Buffer key) {
    return vertx.executeBlocking(() -> checkNow(vertx, cert, key), false);
  }

  static Checked checkNow(Vertx vertx, Buffer cert, Buffer key) throws Exception {
    if (!cert.toString(StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("no PEM certificate in the certificate file");
    }
    PemKeyCertOptions options = new PemKeyCertOptions().setCertValue(cert.copy()).setKeyValue(key.copy());
    KeyStore store;
    try {
      store = options.loadKeyStore(vertx);
    } catch (Exception e) {
      throw new IllegalArgumentException("the PEM files do not parse (" + e + ")", e);
    }
    String alias = Collections.list(store.aliases()).stream().filter(a -> {
      try {
        return store.isKeyEntry(a);
      } catch (Exception e) {
        return false;
      }
    }).findFirst().orElseThrow(() -> new IllegalArgumentException("no private key in the key file"));
    // Vert.x's in-memory key store protects its entries with this constant; it is not a secret.
    Key k = store.getKey(alias, KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
    Certificate[] chain = store.getCertificateChain(alias);
    if (!(k instanceof PrivateKey privateKey) || chain == null || chain.length == 0
        || !(chain[0] instanceof X509Certificate leaf)) {
      throw new IllegalArgumentException("no certificate chain with a private key in the files");
    }
    if (!keyMatches(privateKey, leaf)) {
      throw new IllegalArgumentException("the private key does not belong to the certificate " + leaf.getSubjectX500Principal());
    }
    leaf.checkValidity();
    return new Checked(options, leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant().getEpochSecond());
  }

  /** Signs a few bytes with the key and verifies them with the certificate: true whatever the algorithm (RSA, EC, EdDSA). */
  private static boolean keyMatches(PrivateKey key, X509Certificate leaf) throws Exception {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
      default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
    };
    byte[] data = "tickstream tls key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(leaf.getPublicKey());
    verifier.update(data);
    return verifier.verify(signature);
  }
}
