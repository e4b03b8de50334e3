package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A symbol whose {@code u} goes backwards for good (an exchange reset, another source) is re-based after
 * {@code fanout.u-rebase-after}; duplicates and older copies stay invisible, and within the bound no client sees
 * {@code u} go back.
 */
@ExtendWith(KafkaBrokerExtension.class)
class URebaseTest {

  @Test
  void aSymbolWhoseUGoesBackForGoodIsRebasedAfterTheBoundAndNeverRegressesBeforeIt() {
    try (FanoutFixture node = FanoutFixture.create("rebase", new JsonObject().put("fanout.u-rebase-after", "2s"))) {
      node.produce("RBUSDT", 100);
      node.deploy();
      TestClient client = node.connect("/ws/rbusdt@bookTicker");
      assertThat(client.next().getLong("u")).isEqualTo(100);

      // A duplicate and older copies: dropped, and the next newer tick is the next thing the client sees.
      node.produce("RBUSDT", 100);
      node.produce("RBUSDT", 50);
      node.produce("RBUSDT", 51);
      await().atMost(Duration.ofSeconds(10)).until(() -> node.meter(FanoutMetrics.STALE_DROPS) == 3);
      node.produce("RBUSDT", 101);
      assertThat(client.next().getLong("u")).isEqualTo(101);

      // The sequence restarts lower and keeps rising: dropped within the bound, re-based after it.
      long[] u = {10};
      node.produce("RBUSDT", u[0]);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
        node.produce("RBUSDT", ++u[0]);
        return node.meter(FanoutMetrics.U_REBASES) == 1;
      });
      long rebasedAt = client.next().getLong("u");
      assertThat(rebasedAt).as("the first tick after the re-base is of the new sequence").isGreaterThan(10).isLessThanOrEqualTo(u[0]);
      assertThat(node.meter(FanoutMetrics.STALE_DROPS)).as("every earlier tick of the new sequence was dropped")
          .isEqualTo(3 + (rebasedAt - 10));
      for (long expected = rebasedAt + 1; expected <= u[0]; expected++) {
        assertThat(client.next().getLong("u")).isEqualTo(expected);
      }
      // After the re-base, older copies are invisible again.
      node.produce("RBUSDT", rebasedAt);
      node.produce("RBUSDT", u[0] + 1);
      assertThat(client.next().getLong("u")).isEqualTo(u[0] + 1);
      assertThat(node.meter(FanoutMetrics.U_REBASES)).isEqualTo(1);
      client.close();
    }
  }
}
