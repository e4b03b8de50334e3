package io.tickstream.kafka.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.tickstream.kafka.broker.junit.BootstrapServers;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A second class on the extension: it must get the broker {@link ProduceConsumeTest} got, not a new one. */
@ExtendWith(KafkaBrokerExtension.class)
class SharedBrokerTest {

  private static final long TIMEOUT_SECONDS = 30;

  @Test
  void brokerIsSharedAcrossTestClasses(@BootstrapServers String bootstrapServers) throws Exception {
    BrokersSeen.recordAndAssertShared(bootstrapServers);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      assertThat(admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).hasSize(1);
    }
  }

  @Test
  void theEmbeddedBrokerIsInjectedUnlessAnExternalOneIsUsed(Optional<EmbeddedKafkaBroker> broker) {
    boolean external = System.getProperty(KafkaBrokerExtension.EXTERNAL_BROKER) != null
        || System.getenv(KafkaBrokerExtension.EXTERNAL_BROKER) != null;
    assertThat(broker.isPresent()).as("an embedded broker exactly when no external one is named").isEqualTo(!external);
    broker.ifPresent(b -> {
      assertThat(b.isRunning()).isTrue();
      assertThat(b.bootstrapServers()).isEqualTo(KafkaBrokerExtension.bootstrapServers());
      BrokersSeen.recordAndAssertShared(b.bootstrapServers());
    });
  }
}
