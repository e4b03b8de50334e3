package io.tickstream.common.kafka;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * How every role reaches Kafka: the brokers, the client id, and the connection's security. Every Kafka client of
 * the system (the ingest's producer and admin client, the fanout's consumer and admin client) starts from
 * {@link #clientProperties}, so a setting here reaches all of them.
 *
 * <p>Security comes in two layers. First-class settings cover the common cases: {@code kafka.security-protocol},
 * {@code kafka.sasl-mechanism} with {@code kafka.sasl-username}/{@code kafka.sasl-password} (from which the JAAS line
 * of PLAIN and SCRAM is built), AWS MSK IAM, and {@code kafka.ssl-ca-file} (a PEM trust store). Then
 * {@code kafka.properties-file}, a Java properties file of any Kafka client properties, is applied on top: <b>a key
 * the file sets wins</b> over the first-class settings, because the file is the escape hatch for what they do not
 * cover (mTLS key stores, OAUTHBEARER, a vendor's ready-made client file) and must be able to say everything.
 * Role-specific settings such as {@code ingest.kafka.properties} are applied after this, by the role.
 *
 * <p>Threading: {@link #clientProperties} reads the properties file, a small local file, once per client at start.
 */
public final class KafkaSettings {

  public static final String PLAINTEXT = "plaintext";
  public static final String SSL = "ssl";
  public static final String SASL_PLAINTEXT = "sasl_plaintext";
  public static final String SASL_SSL = "sasl_ssl";
  public static final String PLAIN = "plain";
  public static final String SCRAM_SHA_256 = "scram-sha-256";
  public static final String SCRAM_SHA_512 = "scram-sha-512";
  public static final String AWS_MSK_IAM = "aws_msk_iam";

  /** The login module and callback handler of {@code software.amazon.msk:aws-msk-iam-auth}. */
  static final String MSK_IAM_LOGIN_MODULE = "software.amazon.msk.auth.iam.IAMLoginModule";
  static final String MSK_IAM_CALLBACK_HANDLER = "software.amazon.msk.auth.iam.IAMClientCallbackHandler";

  public static final Setting<List<String>> BOOTSTRAP_SERVERS = Setting.ofList("kafka.bootstrap-servers",
      List.of("127.0.0.1:9092"), "Kafka brokers to bootstrap from, host:port, comma-separated.");
  public static final Setting<String> CLIENT_ID = Setting.ofString("kafka.client-id", "tickstream",
      "Prefix of the Kafka client ids, shown in broker logs and quotas.");
  public static final Setting<String> SECURITY_PROTOCOL = Setting.ofChoice("kafka.security-protocol", PLAINTEXT,
      List.of(PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL),
      "security.protocol of every Kafka client (producer, consumer, admin). Use ssl or sasl_ssl on any network you do not fully control.");
  public static final Setting<String> SASL_MECHANISM = Setting.ofChoice("kafka.sasl-mechanism", null,
      List.of(PLAIN, SCRAM_SHA_256, SCRAM_SHA_512, AWS_MSK_IAM),
      "sasl.mechanism when kafka.security-protocol is sasl_*; plain and scram-* take kafka.sasl-username and kafka.sasl-password, aws_msk_iam needs the aws-msk-iam-auth jar on the classpath.");
  public static final Setting<String> SASL_USERNAME = Setting.ofString("kafka.sasl-username", null,
      "SASL user name for plain and scram-*.");
  public static final Setting<String> SASL_PASSWORD = Setting.ofSecret("kafka.sasl-password",
      "SASL password for plain and scram-*; never printed (--print-config shows ********). Prefer the environment variable or kafka.properties-file.");
  public static final Setting<String> SSL_CA_FILE = Setting.ofString("kafka.ssl-ca-file", null,
      "PEM file of the CA certificates that sign the brokers' certificates (ssl.truststore.type=PEM); unset: the JVM's default trust store.");
  public static final Setting<String> PROPERTIES_FILE = Setting.ofString("kafka.properties-file", null,
      "Java properties file of further Kafka client properties for every client; a key it sets wins over the kafka.* settings.");

  public static final List<Setting<?>> ALL = List.of(BOOTSTRAP_SERVERS, CLIENT_ID, SECURITY_PROTOCOL, SASL_MECHANISM,
      SASL_USERNAME, SASL_PASSWORD, SSL_CA_FILE, PROPERTIES_FILE);

  private KafkaSettings() {
  }

  /**
   * Client properties common to producers, consumers and admin clients: brokers, client id, security, then the
   * properties file.
   *
   * @throws IllegalArgumentException with a message naming the setting when the security settings contradict each
   *     other, the properties file cannot be read, or AWS MSK IAM is asked for without its jar
   */
  public static Map<String, Object> clientProperties(Config config, String role) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", String.join(",", config.get(BOOTSTRAP_SERVERS)));
    props.put("client.id", config.get(CLIENT_ID) + "-" + role);
    props.putAll(securityProperties(config));
    String file = config.get(PROPERTIES_FILE);
    if (file != null && !file.isEmpty()) {
      props.putAll(readProperties(Path.of(file)));
    }
    checkMskIamJar(props);
    return props;
  }

  /** The properties the first-class security settings stand for; empty for the default, plaintext. */
  static Map<String, Object> securityProperties(Config config) {
    Map<String, Object> props = new HashMap<>();
    String protocol = config.get(SECURITY_PROTOCOL);
    String mechanism = config.get(SASL_MECHANISM);
    String user = config.get(SASL_USERNAME);
    String password = config.get(SASL_PASSWORD);
    boolean sasl = protocol.startsWith("sasl_");
    boolean tls = protocol.equals(SSL) || protocol.equals(SASL_SSL);
    props.put("security.protocol", protocol.toUpperCase(Locale.ROOT));
    if (!sasl && (mechanism != null || user != null || password != null)) {
      throw new IllegalArgumentException("kafka.sasl-* is set but kafka.security-protocol is " + protocol
          + ": use sasl_ssl (or sasl_plaintext on a trusted network)");
    }
    if (sasl && mechanism != null) {
      props.put("sasl.mechanism", mechanism.toUpperCase(Locale.ROOT));
      switch (mechanism) {
        case PLAIN, SCRAM_SHA_256, SCRAM_SHA_512 -> {
          if (user != null || password != null) {
            if (user == null || password == null) {
              throw new IllegalArgumentException("kafka.sasl-username and kafka.sasl-password go together");
            }
            String module = mechanism.equals(PLAIN) ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
            props.put("sasl.jaas.config", module + " required username=\"" + jaasQuote(user) + "\" password=\""
                + jaasQuote(password) + "\";");
          }
        }
        case AWS_MSK_IAM -> {
          if (user != null || password != null) {
            throw new IllegalArgumentException("kafka.sasl-mechanism=aws_msk_iam takes no kafka.sasl-username or "
                + "kafka.sasl-password: it signs with the AWS credentials of the process (role, environment, profile)");
          }
          props.put("sasl.jaas.config", MSK_IAM_LOGIN_MODULE + " required;");
          props.put("sasl.client.callback.handler.class", MSK_IAM_CALLBACK_HANDLER);
        }
        default -> throw new IllegalStateException(mechanism);
      }
    }
    String ca = config.get(SSL_CA_FILE);
    if (ca != null && !ca.isEmpty()) {
      if (!tls) {
        throw new IllegalArgumentException("kafka.ssl-ca-file is set but kafka.security-protocol is " + protocol
            + ": use ssl or sasl_ssl");
      }
      if (!Files.isReadable(Path.of(ca))) {
        throw new IllegalArgumentException("kafka.ssl-ca-file: cannot read " + ca);
      }
      props.put("ssl.truststore.type", "PEM");
      props.put("ssl.truststore.location", ca);
    }
    return props;
  }

  /** A value inside the double quotes of a JAAS option: Kafka's parser (a StreamTokenizer) reads {@code \"} and {@code \\}. */
  static String jaasQuote(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static Map<String, String> readProperties(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("kafka.properties-file: cannot read " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> out = new HashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
    return out;
  }

  /** A clear start-up error instead of Kafka's "class not found" deep inside the first connection attempt. */
  private static void checkMskIamJar(Map<String, Object> props) {
    Object jaas = props.get("sasl.jaas.config");
    if (jaas != null && jaas.toString().contains(MSK_IAM_LOGIN_MODULE)) {
      try {
        Class.forName(MSK_IAM_LOGIN_MODULE, false, KafkaSettings.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("AWS MSK IAM needs software.amazon.msk:aws-msk-iam-auth on the classpath "
            + "(see docs/security/tls-and-kafka.md); " + MSK_IAM_LOGIN_MODULE + " is not there");
      }
    }
  }
}
