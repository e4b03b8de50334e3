package io.tickstream.fanout.impl.source;

import io.tickstream.common.express.ExpressLane;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.fanout.FanoutFixture;
import io.tickstream.fanout.FanoutMetrics;
import io.tickstream.fanout.TestClient;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 21, point 6: with the express lane on, a node receives each tick twice and hands the first copy to its loops;
 * the second is dropped by the {@code u} read from its bytes, before it is decoded. Shown with copies whose prices
 * are not decimals: decoding one would count it as malformed, so a late copy that is counted as late and not as
 * malformed was never decoded. Real Kafka, the node's own express receiver on its event bus, a WebSocket client.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LateCopyTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SYMBOL = "LATEUSDT";

  private final BookTickerEncoder encoder = new BookTickerEncoder();

  @Test
  void theSecondCopyOfATickIsDroppedUndecodedWhicheverSourceBringsIt() throws Exception {
    try (FanoutFixture node = FanoutFixture.create("late-copy", new JsonObject().put("fanout.express", true))) {
      node.produce(SYMBOL, 1);
      node.deploy();
      TestClient client = node.connect("/ws/lateusdt@bookTicker");
      assertThat(client.next().getLong("u")).isEqualTo(1);

      // The express lane first: its u=2 reaches the client. Sent until the receiver has registered: the repeats are
      // late copies. Its u=3 then shows that every repeat was handled.
      await().atMost(WAIT).until(() -> {
        express(node, value(2, false));
        return node.meter(FanoutMetrics.EXPRESS_TICKS) > 0;
      });
      assertThat(client.next().getLong("u")).isEqualTo(2);
      express(node, value(3, false));
      assertThat(client.next().getLong("u")).isEqualTo(3);
      double late = node.meter(FanoutMetrics.LATE_COPIES);
      assertThat(late).as("repeats dropped").isEqualTo(node.meter(FanoutMetrics.EXPRESS_TICKS) - 2);

      // Kafka's copies of u=2 and u=3, unreadable past their u, are dropped undecoded; Kafka's u=4 then flows.
      produce(node, value(2, true));
      produce(node, value(3, true));
      node.produce(SYMBOL, 4);
      assertThat(client.next().getLong("u")).isEqualTo(4);
      assertThat(node.meter(FanoutMetrics.LATE_COPIES)).isEqualTo(late + 2);

      // Kafka first (u=5), then the express lane's copy, unreadable past its u: dropped undecoded; its u=6 flows.
      node.produce(SYMBOL, 5);
      assertThat(client.next().getLong("u")).isEqualTo(5);
      express(node, value(5, true));
      express(node, value(6, false));
      assertThat(client.next().getLong("u")).isEqualTo(6);
      assertThat(node.meter(FanoutMetrics.LATE_COPIES)).isEqualTo(late + 3);
      assertThat(node.meter(FanoutMetrics.MALFORMED)).as("late copies decoded").isZero();

      // A copy that is not late is decoded, and judged: one that is not a book ticker is malformed, not delivered.
      express(node, value(7, true));
      express(node, value(8, false));
      assertThat(client.next().getLong("u")).isEqualTo(8);
      assertThat(node.meter(FanoutMetrics.MALFORMED)).isEqualTo(1);
      client.close();
    }
  }

  /** A record value of {@link #SYMBOL} at {@code u}; {@code broken}: its bid price is not a decimal. */
  private byte[] value(long u, boolean broken) {
    byte[] v = encoder.recordValue(FanoutFixture.tick(SYMBOL, u));
    if (!broken) {
      return v;
    }
    String text = new String(v, StandardCharsets.US_ASCII).replace("\"b\":\"25.35190000\"", "\"b\":\"2x.35190000\"");
    assertThat(text).contains("2x.");
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static void express(FanoutFixture node, byte[] value) {
    Buffer message = Buffer.buffer();
    ExpressLane.append(message, value);
    node.vertx.eventBus().publish(ExpressLane.ADDRESS, message);
  }

  private static void produce(FanoutFixture node, byte[] value) throws Exception {
    node.producer.send(new ProducerRecord<>(node.topic, SYMBOL, value)).get(30, TimeUnit.SECONDS);
  }
}
