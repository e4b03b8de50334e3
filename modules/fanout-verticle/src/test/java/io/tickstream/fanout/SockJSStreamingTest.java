package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SockJS's xhr-streaming transport across many responses: each ends after {@code fanout.sockjs-stream-bytes} (set
 * small here) and the client opens the next request, on a new connection, as sockjs-client does. The session's ticks
 * must go on in each next response (the node holds them in its conflation between two requests and sends the newest
 * when the next comes: a stream that waited for an event that never came would stop here), {@code u} never goes back,
 * and the client ends on the newest tick.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SockJSStreamingTest {

  private static FanoutFixture node;

  @BeforeAll
  static void start() {
    node = FanoutFixture.create("sockjs-streaming", new JsonObject().put("fanout.sockjs-stream-bytes", 4096));
    node.produce("STRMUSDT", 1);
    node.deploy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void theStreamGoesOnAcrossResponsesToTheNewestTick() {
    HttpClient http = node.vertx.createHttpClient();
    String base = "/sockjs/000/streaming1/";
    AtomicInteger responses = new AtomicInteger();
    AtomicLong lastU = new AtomicLong();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    StringBuilder partial = new StringBuilder();
    Runnable[] stream = new Runnable[1];
    stream[0] = () -> http.request(HttpMethod.POST, node.port(), "127.0.0.1", base + "xhr_streaming")
        .compose(req -> req.send())
        .onSuccess(resp -> {
          responses.incrementAndGet();
          resp.handler(chunk -> {
            partial.append(chunk.toString());
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
              String line = partial.substring(0, nl);
              partial.delete(0, nl + 1);
              if (line.startsWith("a[")) {
                for (Object m : new JsonArray(line.substring(1))) {
                  JsonObject data = new JsonObject((String) m).getJsonObject("data");
                  if (data != null) {
                    long u = data.getLong("u");
                    if (u < lastU.get()) {
                      problems.add("u went back from " + lastU.get() + " to " + u);
                    }
                    lastU.set(u);
                  }
                }
              }
            }
          });
          resp.endHandler(v -> stream[0].run());
        })
        .onFailure(e -> problems.add("request failed: " + e));
    stream[0].run();
    await().atMost(Duration.ofSeconds(20)).until(() -> responses.get() >= 1);
    int status = FanoutFixture.await(http.request(HttpMethod.POST, node.port(), "127.0.0.1", base + "xhr_send")
        .compose(req -> req.send(Buffer.buffer(new JsonArray()
            .add("{\"method\":\"SUBSCRIBE\",\"params\":[\"strmusdt@bookTicker\"],\"id\":1}").encode())))
        .map(HttpClientResponse::statusCode));
    assertThat(status).isEqualTo(204);
    await().atMost(Duration.ofSeconds(20)).until(() -> lastU.get() == 1);

    // About 200 bytes a tick in SockJS's framing: 400 ticks are some twenty responses of 4 KB.
    node.produceAll("STRMUSDT", 2, 401);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(problems).isEmpty();
      assertThat(lastU.get()).isEqualTo(401);
    });
    assertThat(responses.get()).as("the stream went on in new responses").isGreaterThanOrEqualTo(3);
    // A later tick still arrives: the stream did not stop after the burst.
    node.produce("STRMUSDT", 402);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(lastU.get()).isEqualTo(402));
    assertThat(problems).isEmpty();
    http.close();
  }
}
