package io.tickstream.fanout;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real Vert.x WebSocket client that queues every text message and remembers how it was closed. */
public final class TestClient {

  public final WebSocket ws;
  /**
   * The client that opened {@link #ws}, kept reachable for as long as this is: Vert.x closes a WebSocketClient that
   * becomes garbage (its {@code CleanableWebSocketClient}), and with it this connection, with 1000, at the next GC.
   */
  private final WebSocketClient client;
  private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
  public volatile Short closeStatus;
  public volatile String closeReason;

  /**
   * For a {@code ws} whose {@link WebSocketClient} the caller keeps reachable itself (a field, or a client it
   * closes): otherwise prefer {@link #TestClient(WebSocketClient, WebSocket)}.
   */
  TestClient(WebSocket ws) {
    this(null, ws);
  }

  TestClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(messages::add);
    ws.closeHandler(v -> {
      closeStatus = ws.closeStatusCode();
      closeReason = ws.closeReason();
    });
  }

  /**
   * Opens a WebSocket with this client's handlers set <em>before</em> the connect, so frames the node writes right
   * behind its 101 (the snapshot) are never missed: a handler set once {@code connect()}'s future completes may come
   * too late when the calling thread is descheduled between {@code connect()} and registering the callback.
   */
  static io.vertx.core.Future<TestClient> connect(WebSocketClient client, io.vertx.core.http.WebSocketConnectOptions options) {
    io.vertx.core.http.ClientWebSocket ws = client.webSocket();
    TestClient t = new TestClient(client, ws);
    return ws.connect(options).map(v -> t);
  }

  /** The next message as JSON; fails after 20 s without one. */
  public JsonObject next() {
    String m = nextText();
    return new JsonObject(m);
  }

  public String nextText() {
    try {
      String m = messages.poll(20, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("no message within 20s (close status " + closeStatus + ")");
      }
      return m;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Sends a control message and returns the next message (its reply, if no tick is in flight). */
  public JsonObject request(String json) {
    send(json);
    return next();
  }

  public void send(String json) {
    FanoutFixture.await(ws.writeTextMessage(json));
  }

  public void sendBinary(Buffer b) {
    FanoutFixture.await(ws.writeBinaryMessage(b));
  }

  public boolean isClosed() {
    return closeStatus != null || ws.isClosed();
  }

  public int pendingMessages() {
    return messages.size();
  }

  public void close() {
    ws.close().onComplete(v -> {
      if (client != null) {
        client.close();
      }
    });
  }
}
