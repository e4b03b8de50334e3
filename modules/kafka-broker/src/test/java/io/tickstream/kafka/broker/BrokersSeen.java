package io.tickstream.kafka.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;

/** Records the broker every extension-using test class saw, so that whichever class runs last proves sharing. */
final class BrokersSeen {

  private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

  private BrokersSeen() {
  }

  /** Records {@code bootstrapServers} and asserts that every class so far saw the same, once-started broker. */
  static void recordAndAssertShared(String bootstrapServers) {
    SEEN.add(bootstrapServers);
    assertThat(SEEN).as("bootstrap servers seen by the test classes").containsExactly(bootstrapServers);
    assertThat(bootstrapServers).isEqualTo(KafkaBrokerExtension.bootstrapServers());
    boolean external = isSet(System.getProperty(KafkaBrokerExtension.EXTERNAL_BROKER))
        || isSet(System.getenv(KafkaBrokerExtension.EXTERNAL_BROKER));
    assertThat(KafkaBrokerExtension.startCount()).as("embedded brokers started").isEqualTo(external ? 0 : 1);
  }

  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }
}
