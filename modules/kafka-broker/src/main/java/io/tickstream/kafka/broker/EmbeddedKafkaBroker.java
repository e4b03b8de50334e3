package io.tickstream.kafka.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running inside this JVM.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().partitions(3).build().start()) {
 *     producerProps.put("bootstrap.servers", broker.bootstrapServers());
 *     ...
 * }
 * }</pre>
 *
 * <p>An instance is one-shot: it is {@link #start() started} once and {@link #close() closed} once; build a new
 * one to run again. That keeps the state machine trivial, the same choice Netty makes for channels.
 *
 * <p><b>Threading:</b> {@link #start()} and {@link #close()} are {@code synchronized} and block the caller (start
 * until the broker answers an Admin request, close until every Kafka thread has stopped); never call them on an
 * event loop. All getters may be called from any thread once {@link #start()} has returned; {@link #close()} may be
 * called from a JVM shutdown hook.
 *
 * <p><b>Secured listener:</b> {@link Builder#scramUser} and/or {@link Builder#tls} add a second client listener,
 * {@code SECURED}: {@code SASL_PLAINTEXT} with {@code SCRAM-SHA-512}, {@code SSL} with a PEM certificate, or both
 * ({@code SASL_SSL}). The SCRAM user is created when the storage is formatted ({@code kafka-storage format
 * --add-scram}, which Kafka 4.1 supports in KRaft mode), so it exists before the broker accepts its first
 * connection. The PLAINTEXT listener stays for the inter-broker and readiness traffic; point the clients under test
 * at {@link #securedBootstrapServers()}.
 *
 * <p>Auto topic creation is off on purpose: the system creates its topic explicitly, and a typo in a topic name
 * should fail loudly rather than silently create a one-partition topic.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  /** Port value that asks for a free ephemeral port, chosen when the broker starts. */
  public static final int FREE_PORT = 0;
  /** Interface the listeners bind to and advertise: loopback, because this broker is for one machine. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Partitions of a topic created without an explicit count ({@code num.partitions}). */
  public static final int DEFAULT_PARTITIONS = 1;
  /** How long {@link #start()} waits for the broker to answer before giving up. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /** The only node of the cluster; broker and controller share it. */
  static final int NODE_ID = 1;
  static final String PLAINTEXT_LISTENER = "PLAINTEXT";
  static final String CONTROLLER_LISTENER = "CONTROLLER";
  static final String SECURED_LISTENER = "SECURED";
  /** The SCRAM mechanism of {@link Builder#scramUser}: the strongest Kafka offers. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
  private static final String TEMP_DIR_PREFIX = "tickstream-kafka-";
  /** Written by formatting; its presence marks a log dir that must not be formatted again. */
  private static final String META_PROPERTIES = "meta.properties";
  /** One node can hold one replica: every internal topic gets replication factor and min ISR 1. */
  private static final String SINGLE_REPLICA = "1";
  /**
   * {@code __consumer_offsets} partitions. Kafka's default of 50 costs a noticeable pause the first time a consumer
   * group appears; on a single node more than one buys nothing.
   */
  private static final String OFFSETS_TOPIC_PARTITIONS = "1";

  private final String host;
  private final int requestedPort;
  private final int requestedControllerPort;
  private final Path requestedLogDir;
  private final int partitions;
  private final Duration startupTimeout;
  private final Map<String, String> extraProperties;
  private final String scramUser;
  private final String scramPassword;
  private final String tlsCertificateChain;
  private final String tlsPrivateKey;

  private enum State { NEW, RUNNING, CLOSED }

  private State state = State.NEW;
  private KafkaRaftServer server;
  private boolean deleteLogDirOnClose;
  private volatile int port;
  private volatile int controllerPort;
  private volatile Path logDir;
  private volatile String bootstrapServers;
  private volatile int saslPort;

  private EmbeddedKafkaBroker(Builder builder) {
    this.host = builder.host;
    this.requestedPort = builder.port;
    this.requestedControllerPort = builder.controllerPort;
    this.requestedLogDir = builder.logDir;
    this.partitions = builder.partitions;
    this.startupTimeout = builder.startupTimeout;
    this.extraProperties = Map.copyOf(builder.extraProperties);
    this.scramUser = builder.scramUser;
    this.scramPassword = builder.scramPassword;
    this.tlsCertificateChain = builder.tlsCertificateChain;
    this.tlsPrivateKey = builder.tlsPrivateKey;
  }

  /** Returns a builder whose defaults give a throw-away broker on free loopback ports with a temporary log dir. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the log directory, starts the broker and blocks until it answers a {@code describeCluster} request.
   *
   * @return this broker, so that {@code builder().build().start()} reads as one expression
   * @throws IllegalStateException if the broker was already started or closed, or did not become ready in time;
   *     whatever was started is shut down again before the exception propagates
   */
  public synchronized EmbeddedKafkaBroker start() {
    if (state != State.NEW) {
      throw new IllegalStateException("A broker starts once; it is " + state);
    }
    state = State.RUNNING;
    try {
      doStart();
      return this;
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private void doStart() {
    int[] ports = choosePorts(host, requestedPort, requestedControllerPort);
    port = ports[0];
    controllerPort = ports[1];
    if (secured()) {
      saslPort = choosePorts(host, FREE_PORT, FREE_PORT)[0];
      while (saslPort == port || saslPort == controllerPort) {
        saslPort = choosePorts(host, FREE_PORT, FREE_PORT)[0];
      }
    }
    deleteLogDirOnClose = requestedLogDir == null;
    logDir = deleteLogDirOnClose ? createTempDir() : requestedLogDir.toAbsolutePath();
    bootstrapServers = host + ":" + port;

    Properties props = brokerProperties();
    format(props);
    server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    awaitReady();
  }

  /** The properties of a combined single-node KRaft server; every value that matters is spelled out here. */
  private Properties brokerProperties() {
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", String.valueOf(NODE_ID));
    props.put("controller.quorum.bootstrap.servers", host + ":" + controllerPort);
    String sasl = secured() ? "," + SECURED_LISTENER + "://" + host + ":" + saslPort : "";
    props.put("listeners", PLAINTEXT_LISTENER + "://" + host + ":" + port + ","
        + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort + sasl);
    props.put("advertised.listeners", PLAINTEXT_LISTENER + "://" + host + ":" + port + sasl);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("inter.broker.listener.name", PLAINTEXT_LISTENER);
    props.put("listener.security.protocol.map",
        PLAINTEXT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT"
            + (secured() ? "," + SECURED_LISTENER + ":" + securedProtocol() : ""));
    String prefix = "listener.name." + SECURED_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
    if (tlsCertificateChain != null) {
      // PEM values inline (KIP-651): no key store file; the key is unencrypted PKCS#8, so no key password.
      props.put(prefix + "ssl.keystore.type", "PEM");
      props.put(prefix + "ssl.keystore.certificate.chain", tlsCertificateChain);
      props.put(prefix + "ssl.keystore.key", tlsPrivateKey);
    }
    if (scramUser != null) {
      // The broker side of SCRAM needs a login module entry for the listener, though it logs in as nobody:
      // the credentials it checks clients against live in the cluster metadata (written at format time).
      props.put(prefix + "sasl.enabled.mechanisms", SCRAM_MECHANISM);
      props.put(prefix + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
    }
    props.put("log.dirs", logDir.toString());
    props.put("num.partitions", String.valueOf(partitions));
    props.put("auto.create.topics.enable", "false");
    props.put("offsets.topic.replication.factor", SINGLE_REPLICA);
    props.put("offsets.topic.num.partitions", OFFSETS_TOPIC_PARTITIONS);
    props.put("transaction.state.log.replication.factor", SINGLE_REPLICA);
    props.put("transaction.state.log.min.isr", SINGLE_REPLICA);
    props.put("share.coordinator.state.topic.replication.factor", SINGLE_REPLICA);
    props.put("share.coordinator.state.topic.min.isr", SINGLE_REPLICA);
    // Tests and the local stack start consumers one after another; waiting for more members only adds latency.
    props.put("group.initial.rebalance.delay.ms", "0");
    props.putAll(extraProperties);
    return props;
  }

  /**
   * Writes {@code meta.properties} and the bootstrap metadata, as {@code kafka-storage.sh format --standalone} does.
   * A directory that already holds {@code meta.properties} is left alone: it carries its own cluster id, and
   * formatting it again with a new id would be refused ({@code --ignore-formatted} does not skip that check).
   */
  private void format(Properties props) {
    if (Files.exists(logDir.resolve(META_PROPERTIES))) {
      return;
    }
    Path config = null;
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try {
      config = Files.createTempFile(TEMP_DIR_PREFIX, ".properties");
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, "tickstream embedded Kafka broker");
      }
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("format", "--standalone", "-t",
          Uuid.randomUuid().toString(), "-c", config.toString()));
      if (scramUser != null) {
        args.add("--add-scram");
        args.add(SCRAM_MECHANISM + "=[name=" + scramUser + ",password=" + scramPassword + "]");
      }
      int exitCode;
      try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
        exitCode = StorageTool.execute(args.toArray(String[]::new), printStream);
      }
      if (exitCode != 0) {
        throw new IllegalStateException("Formatting " + logDir + " failed (" + exitCode + "): "
            + output.toString(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the broker configuration", e);
    } catch (IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalStateException("Formatting " + logDir + " failed: " + output.toString(StandardCharsets.UTF_8), e);
    } finally {
      deleteQuietly(config);
    }
  }

  /** Blocks until the broker serves a metadata request; the Admin client retries internally until its deadline. */
  private void awaitReady() {
    int timeoutMs = Math.toIntExact(startupTimeout.toMillis());
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    try (Admin admin = Admin.create(config)) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
          .nodes()
          .get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the broker at " + bootstrapServers, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("The broker at " + bootstrapServers + " did not answer within " + startupTimeout, e);
    }
  }

  /**
   * Stops the broker and controller, waits for their threads to end, then deletes the log directory if it was a
   * temporary one. Idempotent; a broker that was never started is simply marked closed.
   */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    KafkaRaftServer running = server;
    server = null;
    try {
      if (running != null) {
        running.shutdown();
        running.awaitShutdown();
      }
    } finally {
      if (deleteLogDirOnClose && logDir != null) {
        try {
          Utils.delete(logDir.toFile());
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot delete the temporary log dir " + logDir, e);
        }
      }
    }
  }

  /** {@code host:port} for {@code bootstrap.servers}; available once {@link #start()} has returned. */
  public String bootstrapServers() {
    String servers = bootstrapServers;
    if (servers == null) {
      throw new IllegalStateException("The broker has not been started");
    }
    return servers;
  }

  /**
   * {@code host:port} of the secured listener ({@link #securedProtocol()}), where {@link Builder#scramUser}'s user
   * logs in with {@value #SCRAM_MECHANISM} and/or clients speak TLS to {@link Builder#tls}'s certificate.
   *
   * @throws IllegalStateException if the broker has no such listener or has not been started
   */
  public String securedBootstrapServers() {
    if (!secured() || saslPort == 0) {
      throw new IllegalStateException("The broker has no secured listener (Builder.scramUser, Builder.tls) or has not been started");
    }
    return host + ":" + saslPort;
  }

  /** The secured listener's protocol: {@code SASL_PLAINTEXT}, {@code SSL} or {@code SASL_SSL}; null without one. */
  public String securedProtocol() {
    if (!secured()) {
      return null;
    }
    return scramUser == null ? "SSL" : tlsCertificateChain == null ? "SASL_PLAINTEXT" : "SASL_SSL";
  }

  private boolean secured() {
    return scramUser != null || tlsCertificateChain != null;
  }

  /** The client (PLAINTEXT) port, resolved if {@link #FREE_PORT} was asked for; 0 before {@link #start()}. */
  public int port() {
    return port;
  }

  /** The KRaft controller port, resolved if {@link #FREE_PORT} was asked for; 0 before {@link #start()}. */
  public int controllerPort() {
    return controllerPort;
  }

  /** The log directory in use; {@code null} before {@link #start()}. */
  public Path logDir() {
    return logDir;
  }

  /** Whether {@link #start()} succeeded and {@link #close()} has not been called yet. */
  public synchronized boolean isRunning() {
    return state == State.RUNNING && server != null;
  }

  @Override
  public String toString() {
    return "EmbeddedKafkaBroker[" + (bootstrapServers == null ? "not started" : bootstrapServers) + "]";
  }

  /**
   * Resolves {@link #FREE_PORT} requests. Both sockets stay open until both ports are known so that the client and
   * controller ports can never be the same number; another process may still take a port before Kafka binds it, a
   * race every "port 0 then reuse" scheme accepts.
   */
  static int[] choosePorts(String host, int port, int controllerPort) {
    try (ServerSocket first = port == FREE_PORT ? bindFree(host) : null;
         ServerSocket second = controllerPort == FREE_PORT ? bindFree(host) : null) {
      return new int[] {
          first != null ? first.getLocalPort() : port,
          second != null ? second.getLocalPort() : controllerPort};
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port on " + host, e);
    }
  }

  private static ServerSocket bindFree(String host) throws IOException {
    ServerSocket socket = new ServerSocket(FREE_PORT, 1, InetAddress.getByName(host));
    socket.setReuseAddress(true);
    return socket;
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory(TEMP_DIR_PREFIX);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary log dir", e);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // A leftover temp file in the temp dir is harmless.
      }
    }
  }

  /** Options of an {@link EmbeddedKafkaBroker}. Not thread-safe: configure it on one thread, then {@link #build()}. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = FREE_PORT;
    private int controllerPort = FREE_PORT;
    private Path logDir;
    private int partitions = DEFAULT_PARTITIONS;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private final Map<String, String> extraProperties = new LinkedHashMap<>();
    private String scramUser;
    private String scramPassword;
    private String tlsCertificateChain;
    private String tlsPrivateKey;

    private Builder() {
    }

    /**
     * Makes the secured listener ({@link EmbeddedKafkaBroker#securedBootstrapServers()}) speak TLS with this PEM
     * certificate chain (leaf first) and unencrypted PKCS#8 PEM private key; with {@link #scramUser} it is SASL_SSL.
     */
    public Builder tls(String certificateChainPem, String privateKeyPem) {
      this.tlsCertificateChain = Objects.requireNonNull(certificateChainPem, "certificateChainPem");
      this.tlsPrivateKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
      return this;
    }

    /**
     * Adds a SASL_PLAINTEXT listener ({@link EmbeddedKafkaBroker#securedBootstrapServers()}) where this user logs in
     * with {@value EmbeddedKafkaBroker#SCRAM_MECHANISM}. Names and passwords may not contain {@code ,} {@code ]}
     * or {@code =} (the format tool's syntax).
     */
    public Builder scramUser(String user, String password) {
      for (String s : new String[] {Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password")}) {
        if (s.isEmpty() || s.matches(".*[,\\]=\\[].*")) {
          throw new IllegalArgumentException("SCRAM user names and passwords may not be empty or contain , = [ ]");
        }
      }
      this.scramUser = user;
      this.scramPassword = password;
      return this;
    }

    /** Interface to bind and advertise; default {@value EmbeddedKafkaBroker#DEFAULT_HOST}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Client port; {@link EmbeddedKafkaBroker#FREE_PORT} (the default) picks a free one. */
    public Builder port(int port) {
      this.port = checkPort(port);
      return this;
    }

    /** KRaft controller port; {@link EmbeddedKafkaBroker#FREE_PORT} (the default) picks a free one. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = checkPort(controllerPort);
      return this;
    }

    /**
     * Directory for the logs and metadata, kept on close and reused (not reformatted) on the next start. Keep the
     * controller port the same across runs on one directory: the voter set stored in it names that port. Default:
     * a fresh temporary directory deleted on close.
     */
    public Builder logDir(Path logDir) {
      this.logDir = logDir;
      return this;
    }

    /** Partitions of topics created without a count; default {@value EmbeddedKafkaBroker#DEFAULT_PARTITIONS}. */
    public Builder partitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
      }
      this.partitions = partitions;
      return this;
    }

    /** How long {@link EmbeddedKafkaBroker#start()} waits for readiness; default 60 s. */
    public Builder startupTimeout(Duration startupTimeout) {
      if (startupTimeout.isNegative() || startupTimeout.isZero()) {
        throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
      }
      this.startupTimeout = startupTimeout;
      return this;
    }

    /** Sets any other broker property, overriding the defaults above; an escape hatch, not a configuration API. */
    public Builder property(String key, String value) {
      extraProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Returns a new, not yet started broker. */
    public EmbeddedKafkaBroker build() {
      return new EmbeddedKafkaBroker(this);
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("Not a port: " + port);
      }
      return port;
    }
  }
}
