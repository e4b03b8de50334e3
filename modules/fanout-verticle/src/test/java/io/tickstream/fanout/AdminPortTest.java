package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 13: {@code /metrics}, {@code /cluster} (internal addresses) and {@code /health/*} were on the internet-facing
 * client port. They are now on the node's private admin port only, bound to {@code fanout.admin-host}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class AdminPortTest {

  private static final String[] OPERATIONS = {"/health/live", "/health/ready", "/metrics", "/cluster"};

  @Test
  void theClientPortAnswers404ForOperationsEndpointsAndTheAdminPortServesThem() {
    try (FanoutFixture node = FanoutFixture.create("admin-port", new JsonObject())) {
      node.produce("ADMINUSDT", 1);
      node.deploy();
      assertThat(node.adminPort()).isPositive().isNotEqualTo(node.port());
      for (String path : OPERATIONS) {
        assertThat(node.get(path, false).status()).as(path + " on the client port").isEqualTo(404);
      }
      FanoutFixture.HttpResult ready = node.admin("/health/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(new JsonObject(ready.body()).fieldNames()).contains("status", "draining", "dataAgeMs", "maxDataAgeMs");
      assertThat(new JsonObject(node.admin("/health/live").body()).getString("status")).isEqualTo("UP");
      assertThat(node.admin("/metrics").body()).contains("tickstream_fanout_connections")
          .contains("tickstream_cluster_refused_peers_total 0.0");
      assertThat(new JsonObject(node.admin("/cluster").body()).getJsonArray("members")).isNotNull();
      // The client port still serves its own endpoints.
      assertThat(node.get("/ws/adminusdt@bookTicker", true).status()).isEqualTo(101);
      assertThat(node.get("/", false).status()).isEqualTo(200);
    }
  }

  @Test
  void theAdminServerBindsOnlyTheConfiguredInterface() throws Exception {
    try (FanoutFixture node = FanoutFixture.create("admin-bind", new JsonObject().put("fanout.admin-host", "127.0.0.2"))) {
      node.produce("ADMINUSDT", 1);
      node.deploy();
      int port = node.adminPort();
      HttpClient http = node.vertx.createHttpClient();
      int status = FanoutFixture.await(http.request(HttpMethod.GET, port, "127.0.0.2", "/health/ready")
          .compose(req -> req.send()).map(resp -> resp.statusCode()));
      assertThat(status).isEqualTo(200);
      assertThatThrownBy(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        }
      }).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void adminPortMinusOneRunsNoAdminServer() {
    try (FanoutFixture node = FanoutFixture.create("admin-off", new JsonObject().put("fanout.admin-port", -1))) {
      node.produce("ADMINUSDT", 1);
      node.deploy();
      assertThat(node.adminPort()).isEqualTo(-1);
      assertThat(node.get("/health/ready", false).status()).isEqualTo(404);
    }
  }
}
