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

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SockJS at {@code /sockjs}, with the test speaking the SockJS wire protocol itself: {@code o} opens a session,
 * {@code a[...]} carries messages (JSON strings), {@code h} is a heartbeat; clients send JSON arrays of strings.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SockJSTest {

  private static FanoutFixture node;

  @BeforeAll
  static void start() {
    node = FanoutFixture.create("sockjs", new JsonObject());
    node.produce("SOCKUSDT", 1);
    node.produce("XHRUSDT", 1);
    node.deploy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String sockjsSend(String json) {
    return new JsonArray().add(json).encode();
  }

  /** Splits SockJS frames into the messages they carry (each a JSON string), skipping o and h. */
  private static void unpack(String frame, LinkedBlockingQueue<JsonObject> into) {
    for (String line : frame.split("\n")) {
      if (line.startsWith("a[")) {
        for (Object m : new JsonArray(line.substring(1))) {
          into.add(new JsonObject((String) m));
        }
      }
    }
  }

  private static JsonObject next(LinkedBlockingQueue<JsonObject> q) throws InterruptedException {
    JsonObject m = q.poll(20, TimeUnit.SECONDS);
    assertThat(m).as("a SockJS message within 20s").isNotNull();
    return m;
  }

  @Test
  void websocketTransportStartsBareAndCombinedAndSpeaksTheControlProtocol() throws Exception {
    LinkedBlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    TestClient c = node.connect("/sockjs/000/wsession1/websocket");
    Thread reader = Thread.ofVirtual().start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          unpack(c.nextText(), messages);
        } catch (AssertionError e) {
          return;
        }
      }
    });
    c.send(sockjsSend("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":1}"));
    assertThat(next(messages).encode()).isEqualTo("{\"result\":true,\"id\":1}");
    c.send(sockjsSend("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":2}"));
    assertThat(next(messages).encode()).isEqualTo("{\"result\":[],\"id\":2}");
    c.send(sockjsSend("{\"method\":\"SUBSCRIBE\",\"params\":[\"sockusdt@bookTicker\"],\"id\":3}"));
    assertThat(next(messages).encode()).isEqualTo("{\"result\":null,\"id\":3}");
    JsonObject snapshot = next(messages);
    assertThat(snapshot.getString("stream")).isEqualTo("sockusdt@bookTicker");
    assertThat(snapshot.getJsonObject("data").getLong("u")).isEqualTo(1);
    node.produce("SOCKUSDT", 2);
    assertThat(next(messages).getJsonObject("data").getLong("u")).isEqualTo(2);
    c.close();
    reader.interrupt();
  }

  @Test
  void xhrStreamingTransportDeliversTicksAndXhrSendCarriesControlMessages() throws Exception {
    HttpClient http = node.vertx.createHttpClient();
    LinkedBlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Boolean> opened = new LinkedBlockingQueue<>();
    String base = "/sockjs/000/xsession1/";
    HttpClientResponse stream = FanoutFixture.await(http.request(HttpMethod.POST, node.port(), "127.0.0.1",
        base + "xhr_streaming").compose(req -> req.send().map(resp -> {
          resp.handler(chunk -> {
            String text = chunk.toString();
            if (text.contains("o\n")) {
              opened.add(true);
            }
            unpack(text, messages);
          });
          return resp;
        })));
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(opened.poll(20, TimeUnit.SECONDS)).isTrue();
    int status = FanoutFixture.await(http.request(HttpMethod.POST, node.port(), "127.0.0.1", base + "xhr_send")
        .compose(req -> req.send(Buffer.buffer(sockjsSend(
            "{\"method\":\"SUBSCRIBE\",\"params\":[\"XHRUSDT@bookTicker\"],\"id\":\"x1\"}"))))
        .map(HttpClientResponse::statusCode));
    assertThat(status).isEqualTo(204);
    assertThat(next(messages).encode()).isEqualTo("{\"result\":null,\"id\":\"x1\"}");
    assertThat(next(messages).getString("stream")).isEqualTo("xhrusdt@bookTicker");
    node.produce("XHRUSDT", 3);
    JsonObject live;
    do {
      live = next(messages);
    } while (live.getJsonObject("data").getLong("u") < 3);
    assertThat(live.getJsonObject("data").getLong("u")).isEqualTo(3);
    http.close();
  }

  @Test
  void theIframePageLoadsTheSockJSClientTheNodeServesNotAPublicCdn() {
    FanoutFixture.HttpResult iframe = node.get("/sockjs/iframe.html", false);
    assertThat(iframe.status()).isEqualTo(200);
    assertThat(iframe.body()).contains("src=\"/webjars/sockjs-client/1.6.1/dist/sockjs.min.js\"").doesNotContain("cdn");
    FanoutFixture.HttpResult script = node.get("/webjars/sockjs-client/1.6.1/dist/sockjs.min.js", false);
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.body()).contains("SockJS");
  }
}
