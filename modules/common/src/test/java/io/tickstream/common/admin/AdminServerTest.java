package io.tickstream.common.admin;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one admin server every role runs: the same answers whoever asks, on the interface it was told to bind. */
class AdminServerTest {

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private AdminServer start(AdminServer.Builder b) throws Exception {
    return b.build().start().await(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String host, int port, String path, String accept) throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).timeout(Duration.ofSeconds(10));
    if (accept != null) {
      req.header("Accept", accept);
    }
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthAnswers200WhenUpAnd503WhenDownWithTheRolesDetails() throws Exception {
    AtomicBoolean ready = new AtomicBoolean(false);
    AdminServer admin = start(AdminServer.builder(vertx, "127.0.0.1", 0)
        .live(Health::ok)
        .ready(() -> Health.of(ready.get(), new JsonObject().put("dataAgeMs", 12))));
    int port = admin.actualPort();

    HttpResponse<String> live = get("127.0.0.1", port, AdminServer.LIVE, null);
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(live.body())).isEqualTo(new JsonObject().put("status", "UP"));
    assertThat(live.headers().firstValue("content-type")).hasValue("application/json");

    HttpResponse<String> down = get("127.0.0.1", port, AdminServer.READY, null);
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(down.body())).isEqualTo(new JsonObject().put("status", "DOWN").put("dataAgeMs", 12));

    ready.set(true);
    HttpResponse<String> up = get("127.0.0.1", port, AdminServer.READY, null);
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(up.body()).getString("status")).isEqualTo("UP");
  }

  @Test
  void metricsServesThePrometheusTextOrOpenMetricsWhenAskedFor() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("tickstream.test.hits").increment(3);
    AdminServer admin = start(AdminServer.builder(vertx, "127.0.0.1", 0).live(Health::ok).ready(Health::ok).metrics(registry));

    HttpResponse<String> text = get("127.0.0.1", admin.actualPort(), AdminServer.METRICS, null);
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
    assertThat(text.body()).contains("tickstream_test_hits_total 3.0");

    HttpResponse<String> open = get("127.0.0.1", admin.actualPort(), AdminServer.METRICS,
        "application/openmetrics-text; version=1.0.0");
    assertThat(open.headers().firstValue("content-type").orElse("")).startsWith("application/openmetrics-text");
    assertThat(open.body()).contains("tickstream_test_hits_total 3.0").endsWith("# EOF\n");
  }

  @Test
  void metricsIs404WhenTheMetersAreNotInAPrometheusRegistry() throws Exception {
    AdminServer admin = start(AdminServer.builder(vertx, "127.0.0.1", 0).live(Health::ok).ready(Health::ok)
        .metrics(new SimpleMeterRegistry()));
    assertThat(get("127.0.0.1", admin.actualPort(), AdminServer.METRICS, null).statusCode()).isEqualTo(404);
  }

  @Test
  void clusterListsTheSuppliedMembersOrNone() throws Exception {
    JsonObject members = new JsonObject().put("members", new JsonArray().add(new JsonObject().put("role", "fanout")));
    AdminServer with = start(AdminServer.builder(vertx, "127.0.0.1", 0).live(Health::ok).ready(Health::ok).cluster(() -> members));
    AdminServer without = start(AdminServer.builder(vertx, "127.0.0.1", 0).live(Health::ok).ready(Health::ok));

    assertThat(new JsonObject(get("127.0.0.1", with.actualPort(), AdminServer.CLUSTER, null).body())).isEqualTo(members);
    assertThat(new JsonObject(get("127.0.0.1", without.actualPort(), AdminServer.CLUSTER, null).body()))
        .isEqualTo(new JsonObject().put("members", new JsonArray()));
  }

  @Test
  void otherPathsAre404AndOtherMethods405() throws Exception {
    AdminServer admin = start(AdminServer.builder(vertx, "127.0.0.1", 0).live(Health::ok).ready(Health::ok));
    int port = admin.actualPort();
    assertThat(get("127.0.0.1", port, "/", null).statusCode()).isEqualTo(404);
    assertThat(get("127.0.0.1", port, "/ws/btcusdt@bookTicker", null).statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + AdminServer.READY))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
  }

  /** Bound to 127.0.0.2, the server answers there and nobody reaches it on 127.0.0.1: the bind is that interface only. */
  @Test
  void bindsOnlyTheConfiguredInterface() throws Exception {
    AdminServer admin = start(AdminServer.builder(vertx, "127.0.0.2", 0).live(Health::ok).ready(Health::ok));
    int port = admin.actualPort();
    assertThat(get("127.0.0.2", port, AdminServer.LIVE, null).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      }
    }).isInstanceOf(ConnectException.class);
  }

  @Test
  void aTakenPortFailsTheStart() throws Exception {
    AdminServer first = start(AdminServer.builder(vertx, "127.0.0.1", 0).live(Health::ok).ready(Health::ok));
    assertThatThrownBy(() -> start(AdminServer.builder(vertx, "127.0.0.1", first.actualPort()).live(Health::ok).ready(Health::ok)))
        .isInstanceOfAny(IOException.class, RuntimeException.class);
  }
}
