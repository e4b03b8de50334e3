package io.tickstream.kafka.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle of a broker started by hand, outside the shared test broker. */
class EmbeddedKafkaBrokerTest {

  private static final long TIMEOUT_SECONDS = 30;

  @Test
  void fixedPortIsReachableAndFreedOnClose(@TempDir Path logDir) throws Exception {
    int[] ports = EmbeddedKafkaBroker.choosePorts(EmbeddedKafkaBroker.DEFAULT_HOST, 0, 0);
    int port = ports[0];
    int controllerPort = ports[1];

    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
        .port(port)
        .controllerPort(controllerPort)
        .logDir(logDir)
        .build()
        .start();
    try {
      assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
      assertThat(broker.isRunning()).isTrue();
      try (Admin admin = admin(broker.bootstrapServers())) {
        assertThat(admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            .singleElement()
            .satisfies(node -> assertThat(node.port()).isEqualTo(port));
        admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      broker.close();
    }

    assertThat(broker.isRunning()).isFalse();
    assertThat(canBind(port)).as("client port freed").isTrue();
    assertThat(canBind(controllerPort)).as("controller port freed").isTrue();
    assertThat(logDir).as("a caller's log dir is kept").isDirectory();

    // The same directory and ports again: the dir is reused, not reformatted, so the topic survives.
    try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.builder()
        .port(port).controllerPort(controllerPort).logDir(logDir).build().start();
         Admin admin = admin(again.bootstrapServers())) {
      assertThat(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).contains("kept");
    }
  }

  @Test
  void temporaryLogDirIsDeletedOnClose() {
    Path logDir;
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
      logDir = broker.logDir();
      assertThat(logDir).isDirectory();
      assertThat(broker.port()).isPositive().isNotEqualTo(broker.controllerPort());
    }
    assertThat(Files.exists(logDir)).isFalse();
  }

  @Test
  void startsOnlyOnce() {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build();
    broker.close();
    assertThatThrownBy(broker::start).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(broker::bootstrapServers).isInstanceOf(IllegalStateException.class);
  }

  private static Admin admin(String bootstrapServers) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(EmbeddedKafkaBroker.DEFAULT_HOST))) {
      return socket.isBound();
    } catch (IOException e) {
      return false;
    }
  }
}
