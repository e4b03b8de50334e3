package io.tickstream.common.kafka;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The properties every Kafka client gets from the {@code kafka.*} settings, and the contradictions refused at start. */
class KafkaSettingsTest {

  @TempDir
  Path dir;

  private static Map<String, Object> props(JsonObject json) throws Exception {
    return KafkaSettings.clientProperties(Config.fromJson(KafkaSettings.ALL, json, Map.of()), "test");
  }

  @Test
  void theDefaultIsPlaintextWithNoSaslOrTrustStore() throws Exception {
    Map<String, Object> p = props(new JsonObject());
    assertThat(p).containsEntry("security.protocol", "PLAINTEXT").containsEntry("client.id", "tickstream-test")
        .doesNotContainKeys("sasl.mechanism", "sasl.jaas.config", "ssl.truststore.location");
  }

  @Test
  void scramOverTlsBuildsTheJaasLineWithQuotesEscapedAndAPemTrustStore() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    Map<String, Object> p = props(new JsonObject().put("kafka.security-protocol", "SASL_SSL")
        .put("kafka.sasl-mechanism", "SCRAM-SHA-512").put("kafka.sasl-username", "tick")
        .put("kafka.sasl-password", "p\"a\\ss").put("kafka.ssl-ca-file", ca.toString()));
    assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"tick\" password=\"p\\\"a\\\\ss\";")
        .containsEntry("ssl.truststore.type", "PEM").containsEntry("ssl.truststore.location", ca.toString());
  }

  @Test
  void plainUsesThePlainLoginModule() throws Exception {
    Map<String, Object> p = props(new JsonObject().put("kafka.security-protocol", "sasl_ssl")
        .put("kafka.sasl-mechanism", "plain").put("kafka.sasl-username", "KEY").put("kafka.sasl-password", "SECRET"));
    assertThat(p).containsEntry("sasl.mechanism", "PLAIN").containsEntry("sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"KEY\" password=\"SECRET\";");
  }

  @Test
  void aKeyThePropertiesFileSetsWinsOverTheSettings() throws Exception {
    Path file = Files.writeString(dir.resolve("client.properties"), """
        # as Confluent Cloud's downloadable client.properties
        bootstrap.servers=pkc-1.example:9092
        security.protocol=SASL_SSL
        sasl.mechanism=PLAIN
        sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='k' password='s';
        ssl.endpoint.identification.algorithm=https
        """);
    Map<String, Object> p = props(new JsonObject().put("kafka.bootstrap-servers", "127.0.0.1:9092")
        .put("kafka.properties-file", file.toString()));
    assertThat(p).containsEntry("bootstrap.servers", "pkc-1.example:9092").containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN").containsEntry("ssl.endpoint.identification.algorithm", "https")
        .containsEntry("client.id", "tickstream-test");
  }

  @Test
  void contradictionsAreRefusedWithTheSettingNamed() {
    assertThatThrownBy(() -> props(new JsonObject().put("kafka.sasl-username", "u").put("kafka.sasl-password", "p")))
        .hasMessageContaining("kafka.security-protocol is plaintext");
    assertThatThrownBy(() -> props(new JsonObject().put("kafka.security-protocol", "sasl_ssl")
        .put("kafka.sasl-mechanism", "scram-sha-256").put("kafka.sasl-username", "u")))
        .hasMessageContaining("kafka.sasl-username and kafka.sasl-password go together");
    assertThatThrownBy(() -> props(new JsonObject().put("kafka.ssl-ca-file", "/nonexistent.pem")))
        .hasMessageContaining("kafka.ssl-ca-file");
    assertThatThrownBy(() -> props(new JsonObject().put("kafka.security-protocol", "ssl")
        .put("kafka.ssl-ca-file", dir.resolve("missing.pem").toString())))
        .hasMessageContaining("cannot read");
    assertThatThrownBy(() -> props(new JsonObject().put("kafka.properties-file", dir.resolve("none.properties").toString())))
        .hasMessageContaining("kafka.properties-file");
    assertThatThrownBy(() -> props(new JsonObject().put("kafka.security-protocol", "sasl_ssl")
        .put("kafka.sasl-mechanism", "aws_msk_iam").put("kafka.sasl-username", "u").put("kafka.sasl-password", "p")))
        .hasMessageContaining("aws_msk_iam takes no kafka.sasl-username");
  }

  @Test
  void awsMskIamWithoutItsJarSaysWhatToAdd() {
    assertThatThrownBy(() -> props(new JsonObject().put("kafka.security-protocol", "sasl_ssl")
        .put("kafka.sasl-mechanism", "aws_msk_iam")))
        .hasMessageContaining("software.amazon.msk:aws-msk-iam-auth");
  }

  @Test
  void thePasswordIsASecretThatDescribeAndPrintConfigMask() throws Exception {
    Setting<String> password = KafkaSettings.SASL_PASSWORD;
    assertThat(password.secret()).isTrue();
    Config c = Config.fromJson(KafkaSettings.ALL, new JsonObject().put("kafka.sasl-password", "hunter2"), Map.of());
    assertThat(c.get(password)).isEqualTo("hunter2");
    assertThat(c.describe()).doesNotContain("hunter2").contains("kafka.sasl-password = " + Config.MASK);
    assertThat(c.describeSources()).doesNotContain("hunter2").contains(Config.MASK);
    Config unset = Config.fromJson(KafkaSettings.ALL, new JsonObject(), Map.of());
    assertThat(unset.describeSources()).containsPattern("kafka\\.sasl-password +unset");
  }
}
