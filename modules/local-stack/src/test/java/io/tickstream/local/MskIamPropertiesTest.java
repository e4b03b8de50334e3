package io.tickstream.local;

import io.tickstream.common.config.Config;
import io.tickstream.common.kafka.KafkaSettings;
import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code kafka.sasl-mechanism=aws_msk_iam} with {@code software.amazon.msk:aws-msk-iam-auth} on the class path (as
 * {@code -Pmsk-iam} builds the role jars): the properties load AWS's login module and callback handler into a real
 * Kafka client, which signs with the process's AWS credentials and offers AWS_MSK_IAM to the broker. There is no MSK
 * here: a broker that only enables SCRAM refuses the mechanism by name, which proves the client got that far.
 */
class MskIamPropertiesTest {

  @Test
  void mskIamPropertiesMakeAClientThatOffersAwsMskIam() throws Exception {
    // The first provider of AWS's default chain: a fixed fake identity, so nothing looks for instance metadata.
    System.setProperty("aws.accessKeyId", "AKIAIOSFODNN7EXAMPLE");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    System.setProperty("aws.region", "eu-west-1");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().scramUser("nobody", "unused").build().start()) {
      Config config = Config.fromJson(KafkaSettings.ALL, new JsonObject()
          .put("kafka.bootstrap-servers", broker.securedBootstrapServers())
          .put("kafka.security-protocol", "sasl_plaintext").put("kafka.sasl-mechanism", "aws_msk_iam"), Map.of());
      Map<String, Object> props = KafkaSettings.clientProperties(config, "msk-test");
      assertThat(props).containsEntry("sasl.mechanism", "AWS_MSK_IAM")
          .containsEntry("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;")
          .containsEntry("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
      try (Admin admin = Admin.create(props)) {
        assertThatThrownBy(() -> admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(UnsupportedSaslMechanismException.class)
            .hasMessageContaining("AWS_MSK_IAM");
      }
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
      System.clearProperty("aws.region");
    }
  }
}
