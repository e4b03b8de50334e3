package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, points 2 and 3: the per-IP limit stays on when its table of addresses is full, and plain HTTP is bounded
 * too (connections per address at once, requests per keep-alive connection). Clients come from loopback addresses of
 * their own (127.0.0.0/8 is all local on Linux): each address is a host of the internet to the node.
 */
@ExtendWith(KafkaBrokerExtension.class)
class AdmissionBoundsTest {

  private static final byte[] NO_PREFIX = new byte[0];
  private static final String INFO = "GET /sockjs/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  /** 2 sessions per address, a table of 5 addresses, 3 per network past it. */
  private static FanoutFixture table;
  /** 3 plain HTTP connections per address at once, 3 requests per connection. */
  private static FanoutFixture http;

  @BeforeAll
  static void start() {
    table = FanoutFixture.started("admission-table", new JsonObject().put("fanout.connections-per-ip-exempt", "")
        .put("fanout.connections-per-ip", 2).put("fanout.connections-per-ip-max-addresses", 5)
        .put("fanout.connections-per-network", 3));
    http = FanoutFixture.started("admission-http", new JsonObject().put("fanout.connections-per-ip-exempt", "")
        .put("fanout.http-connections-per-ip", 3).put("fanout.http-max-requests-per-connection", 3));
  }

  @AfterAll
  static void stop() {
    table.close();
    http.close();
  }

  private static String upgrade(FanoutFixture node, String source) throws IOException {
    return AdmissionPeer.upgradeStatus(source, node.port(), NO_PREFIX, "");
  }

  @Test
  void aFullTableOfAddressesCountsNewcomersPerNetworkInsteadOfLettingThemThrough() throws IOException {
    // An attacker fills the table with five addresses of its own.
    for (int i = 1; i <= 5; i++) {
      assertThat(upgrade(table, "127.0.70." + i)).startsWith("HTTP/1.1 101");
    }
    assertThat(table.meter(FanoutMetrics.ADMISSION_TRACKED, "level", "address")).isEqualTo(5);
    // Newcomers from fresh addresses are counted in their /24's window: 3 there, whichever address of it they use.
    assertThat(upgrade(table, "127.0.71.1")).startsWith("HTTP/1.1 101");
    assertThat(upgrade(table, "127.0.71.1")).startsWith("HTTP/1.1 101");
    assertThat(upgrade(table, "127.0.71.2")).startsWith("HTTP/1.1 101");
    assertThat(upgrade(table, "127.0.71.3")).isEqualTo("HTTP/1.1 429 Too Many Requests\n{\"error\":{\"code\":2,"
        + "\"msg\":\"Too many connections from your network: at most 3 per 5 minutes\"},\"id\":null}");
    assertThat(AdmissionPeer.sockJSSessionStatus("127.0.71.4", table.port(), "table-over")).startsWith("HTTP/1.1 429");
    // Another network is not affected; an address of the table keeps its own window of 2.
    assertThat(upgrade(table, "127.0.72.1")).startsWith("HTTP/1.1 101");
    assertThat(upgrade(table, "127.0.70.1")).startsWith("HTTP/1.1 101");
    assertThat(upgrade(table, "127.0.70.1")).startsWith("HTTP/1.1 429");
    assertThat(table.meter(FanoutMetrics.ADMISSION_COARSE, "level", "network")).isEqualTo(4);
    assertThat(table.meter(FanoutMetrics.ADMISSION_REFUSED, "reason", "per-network")).isEqualTo(2);
    assertThat(table.meter(FanoutMetrics.ADMISSION_TRACKED, "level", "network")).isEqualTo(2);
  }

  /** A keep-alive connection from {@code source} that has been answered once (so the node has counted it). */
  private static AdmissionPeer answeredOnce(String source, String request) throws IOException {
    AdmissionPeer p = new AdmissionPeer(source, http.port());
    p.write(request);
    assertThat(p.readResponse()).startsWith("HTTP/1.1 200");
    return p;
  }

  @Test
  void oneAddressHoldsAtMostItsPlainHttpConnectionsAtOnceWhateverItAsksFor() throws IOException {
    List<AdmissionPeer> held = new ArrayList<>();
    try {
      held.add(answeredOnce("127.0.80.1", INFO));
      held.add(answeredOnce("127.0.80.1", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      AdmissionPeer notFound = new AdmissionPeer("127.0.80.1", http.port());
      held.add(notFound);
      notFound.write("GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertThat(notFound.readResponse()).startsWith("HTTP/1.1 404");
      // The fourth is answered 429 at once, before it sends anything, and closed.
      try (AdmissionPeer fourth = new AdmissionPeer("127.0.80.1", http.port())) {
        assertThat(fourth.readResponse()).isEqualTo("HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n"
            + "content-length: 108\r\nconnection: close\r\n\r\n{\"error\":{\"code\":2,\"msg\":\"Too many connections: at "
            + "most 3 plain HTTP connections at once per IP\"},\"id\":null}");
        fourth.awaitClosedByNode();
      }
      // Another address is not affected.
      answeredOnce("127.0.80.2", INFO).close();
      // Once one closes, the address may open another.
      held.remove(0).close();
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        try (AdmissionPeer again = new AdmissionPeer("127.0.80.1", http.port())) {
          again.write(INFO);
          assertThat(again.readResponse()).startsWith("HTTP/1.1 200");
        }
      });
      assertThat(http.meter(FanoutMetrics.ADMISSION_REFUSED, "reason", "http-per-ip")).isGreaterThanOrEqualTo(1);
    } finally {
      for (AdmissionPeer p : held) {
        p.close();
      }
    }
  }

  @Test
  void upgradedWebSocketsDoNotHoldPlainHttpSlots() throws IOException {
    List<AdmissionPeer> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        AdmissionPeer ws = AdmissionPeer.upgrade("127.0.81.1", http.port(), NO_PREFIX, "/ws", "");
        sockets.add(ws);
        assertThat(ws.readResponse()).startsWith("HTTP/1.1 101");
        AdmissionPeer sockjs = AdmissionPeer.upgrade("127.0.81.1", http.port(), NO_PREFIX,
            "/sockjs/000/slots" + i + "/websocket", "");
        sockets.add(sockjs);
        assertThat(sockjs.readResponse()).startsWith("HTTP/1.1 101");
      }
      for (int i = 0; i < 3; i++) {
        sockets.add(answeredOnce("127.0.81.1", INFO));
      }
    } finally {
      for (AdmissionPeer p : sockets) {
        p.close();
      }
    }
  }

  @Test
  void aKeepAliveConnectionServesAtMostItsRequestsThenCloses() throws IOException {
    try (AdmissionPeer p = new AdmissionPeer("127.0.82.1", http.port())) {
      p.write(INFO);
      assertThat(p.readResponse()).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
      p.write(INFO);
      assertThat(p.readResponse()).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
      p.write(INFO);
      assertThat(p.readResponse()).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
      p.awaitClosedByNode();
    }
  }
}
