package io.tickstream.loadgen.impl;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.common.tick.EpochMicros;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What one connection counts from the frames it reads, fed straight into its message path (no network). */
class LoadConnectionTest {

  private final LaneStats stats = new LaneStats();
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  private final LoadConnection connection =
      new LoadConnection(stats, new ReceiveBuffer(), "raw", new String[]{"BTCUSDT", "ETHUSDT"}, null, false, false);

  @Test
  void firstTickIsASnapshotAndLaterOnesAreLatencySamplesWithGapsCountedAsConflation() {
    long pt = EpochMicros.now() - 1_000;
    feed(tick(10, "ETHUSDT", pt), pt);     // snapshot
    feed(tick(11, "ETHUSDT", pt), pt);     // live, consecutive
    feed(tick(15, "ETHUSDT", pt), -1);     // live, 3 skipped, no ft
    feed(tick(15, "ETHUSDT", pt), pt);     // u did not advance

    assertThat(stats.ticks.sum()).isEqualTo(4);
    assertThat(stats.snapshots.sum()).isEqualTo(1);
    assertThat(stats.conflated.sum()).isEqualTo(3);
    assertThat(stats.notAdvanced.sum()).isEqualTo(1);
    assertThat(stats.interval().getTotalCount()).isEqualTo(2);
    assertThat(stats.fanoutInterval().getTotalCount()).isEqualTo(1);
  }

  @Test
  void combinedFramesAreMeasuredLikeRawOnes() {
    long pt = EpochMicros.now();
    for (long u = 1; u <= 3; u++) {
      byte[] m = encoder.clientCombined(tick(u, "BTCUSDT", pt), "btcusdt@bookTicker", pt).getBytes();
      connection.onMessage(m, m.length);
    }
    assertThat(stats.snapshots.sum()).isEqualTo(1);
    assertThat(stats.interval().getTotalCount()).isEqualTo(2);
  }

  @Test
  void unsubscribedSymbolsControlRepliesAndShutdownNoticesAreNotTicks() {
    long pt = EpochMicros.now();
    feed(tick(1, "BNBUSDT", pt), pt);
    byte[] reply = "{\"result\":null,\"id\":1}".getBytes(StandardCharsets.US_ASCII);
    connection.onMessage(reply, reply.length);
    byte[] shutdown = "{\"e\":\"serverShutdown\",\"reconnectInMs\":100}".getBytes(StandardCharsets.US_ASCII);
    connection.onMessage(shutdown, shutdown.length);

    assertThat(stats.ticks.sum()).isZero();
    assertThat(stats.otherMessages.sum()).isEqualTo(2);
    assertThat(stats.shutdownNotices.sum()).isEqualTo(1);
  }

  @Test
  void aBookTickerConnectionTellsEverySymbolOfTheRunApartAndCountsOthersAsOther() {
    LoadConnection all = new LoadConnection(stats, new ReceiveBuffer(), "raw", null,
        new SymbolIndex(List.of("BTCUSDT", "ETHUSDT", "BNBUSDT")), false, false);
    long pt = EpochMicros.now() - 1_000;
    for (String s : List.of("BTCUSDT", "ETHUSDT", "BNBUSDT")) {
      feed(all, tick(7, s, pt), pt);   // one snapshot per symbol
      feed(all, tick(8, s, pt), pt);   // live, consecutive
    }
    feed(all, tick(12, "BNBUSDT", pt), pt);   // 3 skipped: the node conflated for this connection
    feed(all, tick(1, "XRPUSDT", pt), pt);    // not a symbol of the run

    assertThat(stats.snapshots.sum()).isEqualTo(3);
    assertThat(stats.ticks.sum()).isEqualTo(7);
    assertThat(stats.conflated.sum()).isEqualTo(3);
    assertThat(stats.interval().getTotalCount()).isEqualTo(4);
    assertThat(stats.otherMessages.sum()).isEqualTo(1);
  }

  @Test
  void bookTickerConnectionsAskForTheOneStreamInEveryMode() {
    assertThat(LoadConnection.uri("raw", null)).isEqualTo("/ws/!bookTicker");
    assertThat(LoadConnection.uri("combined", null)).isEqualTo("/stream?streams=!bookTicker");
    assertThat(LoadConnection.uri("raw", new String[]{"BTCUSDT", "ETHUSDT"}))
        .isEqualTo("/ws/btcusdt@bookTicker/ethusdt@bookTicker");
    assertThat(LoadConnection.streams(null)).containsExactly("!bookTicker");
  }

  private void feed(LoadConnection c, BookTicker t, long ft) {
    byte[] m = encoder.clientRaw(t, ft).getBytes();
    c.onMessage(m, m.length);
  }

  private void feed(BookTicker t, long ft) {
    byte[] m = encoder.clientRaw(t, ft).getBytes();
    connection.onMessage(m, m.length);
  }

  private static BookTicker tick(long u, String symbol, long pt) {
    return new BookTicker(u, symbol, "1.00", "2.00", "1.01", "3.00", pt);
  }
}
