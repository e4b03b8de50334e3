package io.tickstream.fanout;

import com.binance.connector.client.impl.WebSocketStreamClientImpl;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Binance's official Java connector ({@code io.github.binance:binance-connector-java}), unmodified, pointed at a
 * node: the only change a user makes is the base URL given to {@link WebSocketStreamClientImpl}. Its URLs are
 * {@code <base>/ws/<symbol>@bookTicker} and {@code <base>/stream?streams=a/b}, which the node serves as they are.
 * Messages are parsed with {@code org.json}, the connector's own JSON library, as its users do.
 *
 * <p>One connector for the class, as an application would hold one: {@code closeAllConnections()} also shuts down
 * the dispatcher of the OkHttp client that every {@link WebSocketStreamClientImpl} of the JVM shares (3.4.1), after
 * which no instance can connect again ({@code InterruptedIOException: executor rejected}). So each test closes its
 * own connections with {@code closeConnection(id)} and the test of {@code closeAllConnections()} runs last.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BinanceConnectorTest {

  private static final int LIVE_TICKS = 40;

  private static FanoutFixture node;
  private static WebSocketStreamClientImpl client;

  @BeforeAll
  static void start() {
    node = FanoutFixture.create("binance-connector", new JsonObject());
    node.produce(tick("BNBUSDT", 1));
    node.produce(tick("ETHUSDT", 1));
    node.deploy();
    client = new WebSocketStreamClientImpl("ws://127.0.0.1:" + node.port());
  }

  @AfterAll
  static void stop() {
    client.closeAllConnections();
    node.close();
  }

  @AfterEach
  void everyConnectionOfTheConnectorIsGone() {
    await().atMost(Duration.ofSeconds(10)).until(() -> node.meter(FanoutMetrics.CONNECTIONS) == 0);
  }

  @Test
  void rawBookTickerStreamDeliversTheSnapshotThenEveryProducedTickWithItsPricesAndQuantities() {
    ConnectorStream stream = new ConnectorStream();
    int id = client.bookTicker("BNBUSDT",
        stream::opened, stream::message, stream::closing, stream::closed, stream::failed);

    JSONObject snapshot = stream.next();
    assertThat(snapshot.has("stream")).as("a raw stream is not wrapped").isFalse();
    assertSameTick(snapshot, tick("BNBUSDT", 1));

    List<BookTicker> produced = new ArrayList<>();
    for (long u = 2; u <= LIVE_TICKS + 1; u++) {
      produced.add(tick("BNBUSDT", u));
      node.produce(produced.getLast());
    }
    List<Long> updateIds = new ArrayList<>();
    for (BookTicker expected : produced) {
      JSONObject received = stream.next();
      assertSameTick(received, expected);
      updateIds.add(received.getLong("u"));
    }
    assertThat(updateIds).isSorted().doesNotHaveDuplicates();

    client.closeConnection(id);
    stream.assertClosedCleanly();
  }

  @Test
  void combinedStreamsArriveWrappedWithTheirStreamNameAndUnwrapToTheProducedTicks() {
    ConnectorStream stream = new ConnectorStream();
    int id = client.combineStreams(new ArrayList<>(List.of("bnbusdt@bookTicker", "ethusdt@bookTicker")),
        stream::opened, stream::message, stream::closing, stream::closed, stream::failed);

    // The snapshot of both streams first, in either order: it tells the latest tick of each, whatever it is now.
    Map<String, Long> lastU = new HashMap<>();
    for (int i = 0; i < 2; i++) {
      JSONObject wrapped = stream.next();
      lastU.put(wrapped.getString("stream"), wrapped.getJSONObject("data").getLong("u"));
    }
    assertThat(lastU).containsOnlyKeys("bnbusdt@bookTicker", "ethusdt@bookTicker");

    Map<String, List<BookTicker>> produced = Map.of("bnbusdt@bookTicker", new ArrayList<>(),
        "ethusdt@bookTicker", new ArrayList<>());
    for (int i = 1; i <= LIVE_TICKS / 2; i++) {
      for (String symbol : List.of("BNBUSDT", "ETHUSDT")) {
        String name = symbol.toLowerCase() + "@bookTicker";
        BookTicker t = tick(symbol, lastU.get(name) + i);
        produced.get(name).add(t);
        node.produce(t);
      }
    }
    Map<String, List<JSONObject>> received = Map.of("bnbusdt@bookTicker", new ArrayList<>(),
        "ethusdt@bookTicker", new ArrayList<>());
    for (int i = 0; i < LIVE_TICKS; i++) {
      JSONObject wrapped = stream.next();
      assertThat(wrapped.keySet()).containsExactlyInAnyOrder("stream", "data");
      received.get(wrapped.getString("stream")).add(wrapped.getJSONObject("data"));
    }
    for (String name : produced.keySet()) {
      List<BookTicker> expected = produced.get(name);
      List<JSONObject> actual = received.get(name);
      assertThat(actual).hasSameSizeAs(expected);
      for (int i = 0; i < expected.size(); i++) {
        assertSameTick(actual.get(i), expected.get(i));
      }
      assertThat(actual.stream().map(d -> d.getLong("u")).toList()).isSorted().doesNotHaveDuplicates();
    }

    client.closeConnection(id);
    stream.assertClosedCleanly();
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void closeAllConnectionsClosesEveryStreamOfTheConnectorWithANormalClose() {
    ConnectorStream raw = new ConnectorStream();
    ConnectorStream combined = new ConnectorStream();
    client.bookTicker("ethusdt", raw::opened, raw::message, raw::closing, raw::closed, raw::failed);
    client.combineStreams(new ArrayList<>(List.of("bnbusdt@bookTicker")),
        combined::opened, combined::message, combined::closing, combined::closed, combined::failed);
    assertThat(raw.next().getString("s")).isEqualTo("ETHUSDT");
    assertThat(combined.next().getString("stream")).isEqualTo("bnbusdt@bookTicker");
    assertThat(node.meter(FanoutMetrics.CONNECTIONS)).isEqualTo(2);

    client.closeAllConnections();
    raw.assertClosedCleanly();
    combined.assertClosedCleanly();
  }

  @Test
  void aDrainingNodeTellsTheConnectorServerShutdownThenClosesItWith1012() {
    try (FanoutFixture draining = FanoutFixture.create("binance-connector-drain",
        new JsonObject().put("fanout.drain-window", "1s"))) {
      draining.produce(tick("BNBUSDT", 1));
      draining.deploy();
      // A second connector instance for the second node: it shares the first one's OkHttp client.
      WebSocketStreamClientImpl drained = new WebSocketStreamClientImpl("ws://127.0.0.1:" + draining.port());
      ConnectorStream stream = new ConnectorStream();
      int id = drained.bookTicker("bnbusdt",
          stream::opened, stream::message, stream::closing, stream::closed, stream::failed);
      assertThat(stream.next().getString("s")).isEqualTo("BNBUSDT");

      Future<Void> undeployed = draining.vertx.undeploy(draining.deploymentId);
      JSONObject notice = stream.next();
      assertThat(notice.getString("e")).isEqualTo("serverShutdown");
      assertThat(notice.getLong("E")).isPositive();
      await().atMost(Duration.ofSeconds(20)).until(() -> stream.closingCode != null);
      assertThat(stream.closingCode).as("the code the connector's onClosing reports").isEqualTo(1012);
      // OkHttp stops reading at the close frame and answers it only when the application closes too; the
      // connector's onClosing does not, so onClosed comes once the application calls closeConnection(id).
      drained.closeConnection(id);
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.closedCode != null || !stream.failures.isEmpty());
      assertThat(stream.failures).isEmpty();
      assertThat(stream.closedCode).isEqualTo(1012);
      FanoutFixture.await(undeployed);
    }
  }

  /** A tick whose prices and quantities differ with {@code u}, so a mix-up of ticks cannot pass unnoticed. */
  private static BookTicker tick(String symbol, long u) {
    return new BookTicker(u, symbol, decimal(60_000 + u), decimal(3_100 + 7 * u), decimal(60_010 + u),
        decimal(4_000 + 3 * u), 1_764_180_000_000_000L + u);
  }

  private static String decimal(long hundredths) {
    return BigDecimal.valueOf(hundredths, 2).setScale(8).toPlainString();
  }

  private static void assertSameTick(JSONObject received, BookTicker expected) {
    assertThat(received.getString("s")).isEqualTo(expected.symbol());
    assertThat(received.getLong("u")).isEqualTo(expected.updateId());
    assertThat(received.getString("b")).isEqualTo(expected.bidPrice());
    assertThat(received.getString("B")).isEqualTo(expected.bidQty());
    assertThat(received.getString("a")).isEqualTo(expected.askPrice());
    assertThat(received.getString("A")).isEqualTo(expected.askQty());
    assertThat(received.getLong("pt")).isEqualTo(expected.receiveTimeMicros());
    assertThat(received.getLong("ft")).isGreaterThanOrEqualTo(expected.receiveTimeMicros());
  }

  /** The connector's five callbacks, recorded; they run on OkHttp's reader thread. */
  private static final class ConnectorStream {
    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    volatile boolean open;
    volatile Integer closingCode;
    volatile Integer closedCode;

    void opened(okhttp3.Response response) {
      open = true;
    }

    void message(String text) {
      messages.add(text);
    }

    void closing(int code, String reason) {
      closingCode = code;
    }

    void closed(int code, String reason) {
      closedCode = code;
    }

    void failed(Throwable t, okhttp3.Response response) {
      failures.add(t);
    }

    JSONObject next() {
      try {
        String m = messages.poll(20, TimeUnit.SECONDS);
        if (m == null) {
          throw new AssertionError("no message within 20s (open " + open + ", closed " + closedCode
              + ", failures " + failures + ")");
        }
        return new JSONObject(m);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    /** After closeAllConnections: the connector's close 1000 was answered, nothing failed, nothing else came. */
    void assertClosedCleanly() {
      await().atMost(Duration.ofSeconds(10)).until(() -> closedCode != null || !failures.isEmpty());
      assertThat(failures).isEmpty();
      assertThat(closedCode).isEqualTo(1000);
      assertThat(messages).isEmpty();
    }
  }
}
