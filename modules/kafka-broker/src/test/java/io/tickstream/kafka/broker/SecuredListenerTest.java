package io.tickstream.kafka.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

/** The secured listener of {@link EmbeddedKafkaBroker.Builder#scramUser}: its user gets in, nobody else does. */
class SecuredListenerTest {

  private static Map<String, Object> scram(String servers, String user, String password) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", servers);
    props.put("security.protocol", "SASL_PLAINTEXT");
    props.put("sasl.mechanism", EmbeddedKafkaBroker.SCRAM_MECHANISM);
    props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user + "\" password=\"" + password + "\";");
    return props;
  }

  @Test
  void theScramUserGetsInAndAWrongPasswordIsRefusedAtOnce() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().scramUser("alice", "alice-secret").build().start()) {
      assertThat(broker.securedProtocol()).isEqualTo("SASL_PLAINTEXT");
      assertThat(broker.securedBootstrapServers()).isNotEqualTo(broker.bootstrapServers());
      try (Admin admin = Admin.create(scram(broker.securedBootstrapServers(), "alice", "alice-secret"))) {
        admin.createTopics(List.of(new NewTopic("secured", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("secured");
      }
      try (Admin admin = Admin.create(scram(broker.securedBootstrapServers(), "alice", "wrong"))) {
        assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
      }
    }
  }

  @Test
  void aBrokerWithoutASecuredListenerSaysSo() {
    EmbeddedKafkaBroker plain = EmbeddedKafkaBroker.builder().build();
    assertThat(plain.securedProtocol()).isNull();
    assertThatThrownBy(plain::securedBootstrapServers).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().scramUser("a,b", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().scramUser("a", "x]"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
