package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The board's files at {@code /} over plain HTTP: served with the right types and cache headers, next to every
 * endpoint without shadowing any, and whatever the node's readiness. {@code BoardBrowserTest} runs the page.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TickerBoardTest {

  private static FanoutFixture node;

  @BeforeAll
  static void start() {
    node = FanoutFixture.create("board", new JsonObject());
    node.produce("BOARDUSDT", 1);
    node.deploy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  record Response(int status, MultiMap headers, String body) {
  }

  private static Response get(int port, String uri) {
    HttpClient http = node.vertx.createHttpClient();
    try {
      return FanoutFixture.await(http.request(HttpMethod.GET, port, "127.0.0.1", uri).compose(req -> req.send()
          .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b.toString())))));
    } finally {
      http.close();
    }
  }

  @Test
  void pageScriptAndStyleAreServedAtTheRootAndRevalidatedOnEveryLoad() {
    Response page = get(node.port(), "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("content-type")).startsWith("text/html");
    assertThat(page.headers().get("cache-control")).isEqualTo("no-cache");
    assertThat(page.headers().get("last-modified")).isNotNull();
    assertThat(page.body()).contains("<script src=\"board.js\"></script>").contains("board.css");

    Response script = get(node.port(), "/board.js");
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.headers().get("content-type")).contains("javascript");
    assertThat(script.headers().get("cache-control")).isEqualTo("no-cache");
    assertThat(script.body()).contains("SUBSCRIBE");

    Response style = get(node.port(), "/board.css");
    assertThat(style.status()).isEqualTo(200);
    assertThat(style.headers().get("content-type")).startsWith("text/css");
  }

  @Test
  void sockjsClientIsServedFromItsWebJarAndCachedForever() {
    Matcher src = Pattern.compile("<script src=\"(webjars/sockjs-client/[^\"]+)\"").matcher(get(node.port(), "/").body());
    assertThat(src.find()).as("the page loads sockjs-client from the node's WebJar").isTrue();
    Response lib = get(node.port(), "/" + src.group(1));
    assertThat(lib.status()).as("the version in index.html is the WebJar's on the class path").isEqualTo(200);
    assertThat(lib.headers().get("content-type")).contains("javascript");
    assertThat(lib.headers().get("cache-control")).isEqualTo("public, max-age=31536000, immutable");
    assertThat(lib.body()).contains("SockJS");
  }

  @Test
  void everyClientEndpointStillAnswersItselfNextToTheBoardAndOperationsOnesAreNotThere() {
    for (String ops : new String[]{"/health/live", "/health/ready", "/metrics", "/cluster"}) {
      assertThat(get(node.port(), ops).status()).as(ops + " on the client port").isEqualTo(404);
      assertThat(get(node.adminPort(), ops).status()).as(ops + " on the admin port").isEqualTo(200);
    }
    assertThat(get(node.port(), "/sockjs/info").body()).contains("websocket");
    assertThat(node.get("/stream?streams=boardusdt@bookTicker", true).status()).as("upgrade").isEqualTo(101);
    assertThat(get(node.port(), "/no-such-file.js").status()).isEqualTo(404);
    assertThat(get(node.port(), "/../pom.xml").status()).isIn(400, 404);
  }

  @Test
  void pageIsServedWhileTheNodeIsNotReadyAndUpgradesAreRefused() {
    // A draining node is not ready; a drain delay keeps it so while it is probed.
    JsonObject config = new JsonObject().put("fanout.drain-delay", "30s").put("fanout.drain-window", "1s");
    try (FanoutFixture draining = FanoutFixture.create("board-not-ready", config)) {
      draining.produce("BOARDUSDT", 1);
      draining.deploy();
      TestClient holder = draining.connect("/ws/boardusdt@bookTicker");
      holder.next();
      Future<Void> undeployed = draining.vertx.undeploy(draining.deploymentId);
      await().atMost(Duration.ofSeconds(10)).until(() -> !draining.verticle.ready());

      assertThat(get(draining.port(), "/").status()).isEqualTo(200);
      assertThat(get(draining.port(), "/board.js").status()).isEqualTo(200);
      assertThat(draining.get("/stream", true).status()).isEqualTo(503);

      FanoutFixture.await(holder.ws.close());
      FanoutFixture.await(undeployed);
    }
  }
}
