package io.tickstream.fanout;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Real clients for the Origin and key tests: WebSocket upgrades and plain HTTP with the headers a test chooses. */
final class AccessClients {

  private AccessClients() {
  }

  /** An HTTP answer: status, headers and body. */
  record Answer(int status, MultiMap headers, String body) {
  }

  /**
   * Opens a WebSocket with exactly {@code headers} (no Origin unless given), or returns the refusal; the client is
   * the one Vert.x offers, so what it sees is what any client would.
   */
  static Object upgrade(FanoutFixture node, String uri, Map<String, String> headers) {
    WebSocketClient client = node.vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port())
        .setURI(uri)
        // Vert.x strips the Origin header unless allowed; allowed, Netty adds its own only when none is given.
        .setAllowOriginHeader(headers.containsKey("Origin"));
    headers.forEach(options::putHeader);
    // Handlers before the connect: frames the node writes right behind its 101 (the snapshot) are never missed.
    ClientWebSocket ws = client.webSocket();
    TestClient t = new TestClient(ws);
    Future<Object> f = ws.connect(options).<Object>map(v -> t).recover(e -> e instanceof UpgradeRejectedException r
        ? Future.succeededFuture(new Answer(r.getStatus(), r.getHeaders(), r.getBody() == null ? "" : r.getBody().toString()))
        : Future.failedFuture(e));
    return FanoutFixture.await(f);
  }

  /** A WebSocket that must open. */
  static TestClient open(FanoutFixture node, String uri, Map<String, String> headers) {
    Object o = upgrade(node, uri, headers);
    if (o instanceof TestClient c) {
      return c;
    }
    throw new AssertionError("upgrade of " + uri + " refused: " + o);
  }

  /** An upgrade that must be refused. */
  static Answer refused(FanoutFixture node, String uri, Map<String, String> headers) {
    Object o = upgrade(node, uri, headers);
    if (o instanceof Answer a) {
      return a;
    }
    ((TestClient) o).close();
    throw new AssertionError("upgrade of " + uri + " was accepted");
  }

  /** A plain HTTP request. */
  static Answer http(FanoutFixture node, HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    HttpClient http = node.vertx.createHttpClient();
    try {
      return FanoutFixture.await(http.request(method, node.port(), "127.0.0.1", uri).compose(req -> {
        headers.forEach(req::putHeader);
        return (body == null ? req.send() : req.send(body)).compose(resp -> resp.body()
            .map(b -> new Answer(resp.statusCode(), MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()), b.toString())));
      }));
    } finally {
      FanoutFixture.await(http.close());
    }
  }

  /** A multipart body with one 32 KiB file part. */
  static Buffer multipart(String boundary) {
    return Buffer.buffer("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fill.bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").appendBytes(new byte[32 * 1024])
        .appendString("\r\n--" + boundary + "--\r\n");
  }

  /** Every path under {@code dir}, sorted; empty if it does not exist. */
  static List<Path> files(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.sorted().toList();
    }
  }
}
