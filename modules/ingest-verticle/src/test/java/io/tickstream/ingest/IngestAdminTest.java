package io.tickstream.ingest;

import io.tickstream.kafka.broker.junit.BootstrapServers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The ingest's operations endpoints come from the same admin server as the fanout's ({@code AdminServer} in common),
 * on {@code ingest.admin-host}:{@code ingest.admin-port}: the same status codes and bodies for the same questions.
 */
class IngestAdminTest extends IngestTestSupport {

  record Answer(int status, String body) {
  }

  private Answer get(String host, int port, String path) throws Exception {
    return vertx.createHttpClient().request(HttpMethod.GET, port, host, path)
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString()))))
        .await(20, TimeUnit.SECONDS);
  }

  @Test
  void healthMetricsAndClusterAreServedOnTheAdminPortWithTheCommonSemantics(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(List.of("BTCUSDT", "ETHUSDT"), 200));
    deployIngest(ingestConfig(kafka));
    int port = ingest.adminPort();
    assertThat(port).isPositive();

    Answer live = get("127.0.0.1", port, "/health/live");
    assertThat(live.status()).isEqualTo(200);
    assertThat(new JsonObject(live.body()).getString("status")).isEqualTo("UP");

    awaitReady();
    await().atMost(WAIT).until(() -> get("127.0.0.1", port, "/health/ready").status() == 200);
    JsonObject ready = new JsonObject(get("127.0.0.1", port, "/health/ready").body());
    assertThat(ready.getString("status")).isEqualTo("UP");
    assertThat(ready.fieldNames()).contains("chunks", "streaming", "symbols");

    assertThat(get("127.0.0.1", port, "/metrics").body()).contains("tickstream_ingest_ready");
    await().atMost(WAIT).until(() -> new JsonObject(get("127.0.0.1", port, "/cluster").body()).getJsonArray("members").size() == 1);
    assertThat(get("127.0.0.1", port, "/").status()).isEqualTo(404);

    undeployIngest();
    assertThatThrownBy(() -> get("127.0.0.1", port, "/health/live")).as("closed with the verticle").isNotNull();
  }

  @Test
  void theAdminServerBindsOnlyTheConfiguredInterface(@BootstrapServers String kafka) throws Exception {
    startSimulator(simulatorConfig(List.of("BTCUSDT"), 100));
    deployIngest(ingestConfig(kafka).put("ingest.admin-host", "127.0.0.2"));
    int port = ingest.adminPort();
    assertThat(get("127.0.0.2", port, "/health/live").status()).isEqualTo(200);
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      }
    }).isInstanceOf(ConnectException.class);
  }
}
