package io.tickstream.fanout.impl.loop;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.common.config.Config;
import io.tickstream.common.stream.StreamName;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import io.tickstream.fanout.impl.session.ClientSession;
import io.tickstream.fanout.impl.source.EncodedTick;
import io.tickstream.fanout.impl.transport.Frame;
import io.tickstream.fanout.impl.transport.FrameSink;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The end-of-batch flush, when flushing one connection makes it writable again and its drain writes more. */
class LoopDispatcherTest {

  private final Vertx vertx = Vertx.vertx();
  private final BookTickerEncoder encoder = new BookTickerEncoder();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /**
   * Netty reports a channel writable again from inside its flush, so a connection's drain (which writes its
   * pending ticks and flushes the dirty connections) runs inside the batch's flush loop. That loop must finish:
   * an exception there reaches the channel's pipeline and Vert.x drops the connection (a 1006 for a client
   * that did nothing wrong). Found by the load generator's stalled-client scenario.
   */
  @Test
  void aConnectionThatDrainsInsideTheBatchFlushDoesNotBreakTheFlushOfTheOthers() throws Exception {
    FanoutConfig config = FanoutConfig.of(Config.defaults(FanoutSettings.ALL));
    LoopDispatcher loop = new LoopDispatcher(vertx, vertx.getOrCreateContext(), config,
        new NodeMetrics(new SimpleMeterRegistry()));
    loop.onTicksAndFlush(List.of(tick("AUSDT", 1), tick("BUSDT", 1)));

    // Accepts one frame per flush, then reports unwritable until flushed: the slow one.
    FakeSink slowSink = new FakeSink(1);
    ClientSession slow = new ClientSession(loop.sends, loop, config, slowSink, false, true);
    slowSink.onWritable = slow.sender::onDrain;
    FakeSink fastSink = new FakeSink(Integer.MAX_VALUE);
    ClientSession fast = new ClientSession(loop.sends, loop, config, fastSink, false, true);
    for (ClientSession s : new ClientSession[]{slow, fast}) {
      loop.register(s.sender, StreamName.bookTicker("AUSDT"));
      loop.register(s.sender, StreamName.bookTicker("BUSDT"));
    }

    // The slow connection writes A, is then unwritable, so B waits; the batch's flush makes it writable again.
    loop.onTicksAndFlush(List.of(tick("AUSDT", 2), tick("BUSDT", 2)));

    assertThat(slowSink.flushed).isEqualTo(2);
    assertThat(fastSink.flushed).isEqualTo(2);
    assertThat(slowSink.queued).isZero();
    assertThat(fastSink.queued).isZero();
  }

  /**
   * With the express lane on, a loop gets every tick twice (the lane's copy and Kafka's), the two sources interleaved
   * in any order: whichever copy comes first is delivered, the other dropped and counted, and a tick only one of
   * them carried is delivered from that one.
   */
  @Test
  void aCopyOfATickAlreadyDeliveredIsDroppedAndCountedWhicheverSourceBroughtItFirst() throws Exception {
    FanoutConfig config = FanoutConfig.of(Config.defaults(FanoutSettings.ALL));
    LoopDispatcher loop = new LoopDispatcher(vertx, vertx.getOrCreateContext(), config,
        new NodeMetrics(new SimpleMeterRegistry()));
    loop.onTicksAndFlush(List.of(tick("AUSDT", 1)));
    FakeSink sink = new FakeSink(Integer.MAX_VALUE);
    ClientSession session = new ClientSession(loop.sends, loop, config, sink, false, true);
    loop.register(session.sender, StreamName.bookTicker("AUSDT"));
    sink.flush();
    int afterSnapshot = sink.flushed;

    loop.onTicksAndFlush(List.of(tick("AUSDT", 2), tick("AUSDT", 3)));                   // the express lane's copies
    assertThat(sink.flushed - afterSnapshot).isEqualTo(2);
    loop.onTicksAndFlush(List.of(tick("AUSDT", 2), tick("AUSDT", 3), tick("AUSDT", 4))); // Kafka's, and one the lane lost
    assertThat(sink.flushed - afterSnapshot).isEqualTo(3);
    loop.onTicksAndFlush(List.of(tick("AUSDT", 4)));                                     // the lane's copy, late
    assertThat(sink.flushed - afterSnapshot).isEqualTo(3);
    assertThat(loop.lateCopies).isEqualTo(3);
  }

  /** A tick the Kafka consumer re-based onto a lower {@code u} passes the loop's copy rule, and the new sequence follows. */
  @Test
  void aRebasedTickIsDeliveredThoughItsUIsLower() throws Exception {
    FanoutConfig config = FanoutConfig.of(Config.defaults(FanoutSettings.ALL));
    LoopDispatcher loop = new LoopDispatcher(vertx, vertx.getOrCreateContext(), config,
        new NodeMetrics(new SimpleMeterRegistry()));
    loop.onTicksAndFlush(List.of(tick("AUSDT", 100)));
    FakeSink sink = new FakeSink(Integer.MAX_VALUE);
    ClientSession session = new ClientSession(loop.sends, loop, config, sink, false, true);
    loop.register(session.sender, StreamName.bookTicker("AUSDT"));
    sink.flush();
    int afterSnapshot = sink.flushed;

    EncodedTick rebased = new EncodedTick(new BookTicker(5, "AUSDT", "1.00", "2.00", "1.01", "3.00", 1_000_000L),
        2_000_000L, encoder, true);
    loop.onTicksAndFlush(List.of(rebased, tick("AUSDT", 6)));
    assertThat(sink.flushed - afterSnapshot).isEqualTo(2);
    assertThat(loop.lateCopies).isZero();
  }

  /**
   * Kafka's tombstone can overtake the express lane's copy of a symbol's last tick: that late copy must not list the
   * symbol again, whether a subscriber still holds its slot or not; a higher {@code u} does list it again.
   */
  @Test
  void aLateCopyArrivingAfterTheTombstoneDoesNotListTheSymbolAgain() throws Exception {
    FanoutConfig config = FanoutConfig.of(Config.defaults(FanoutSettings.ALL));
    LoopDispatcher loop = new LoopDispatcher(vertx, vertx.getOrCreateContext(), config,
        new NodeMetrics(new SimpleMeterRegistry()));
    loop.onTicksAndFlush(List.of(tick("AUSDT", 7), tick("BUSDT", 9)));
    FakeSink sink = new FakeSink(Integer.MAX_VALUE);
    ClientSession session = new ClientSession(loop.sends, loop, config, sink, false, true);
    loop.register(session.sender, StreamName.bookTicker("AUSDT")); // AUSDT keeps its slot; BUSDT has none
    sink.flush();
    int afterSnapshot = sink.flushed;

    loop.onTicksAndFlush(List.of(EncodedTick.delisting("AUSDT"), EncodedTick.delisting("BUSDT")));
    loop.onTicksAndFlush(List.of(tick("AUSDT", 7), tick("BUSDT", 9))); // the express lane's copies, late
    assertThat(loop.isKnown("AUSDT")).isFalse();
    assertThat(loop.isKnown("BUSDT")).isFalse();
    assertThat(sink.flushed - afterSnapshot).isZero();
    assertThat(loop.lateCopies).isEqualTo(2);

    loop.onTicksAndFlush(List.of(tick("AUSDT", 8), tick("BUSDT", 10))); // listed again
    assertThat(loop.isKnown("AUSDT")).isTrue();
    assertThat(loop.isKnown("BUSDT")).isTrue();
    assertThat(sink.flushed - afterSnapshot).isEqualTo(1);
  }

  private EncodedTick tick(String symbol, long u) {
    return new EncodedTick(new BookTicker(u, symbol, "1.00", "2.00", "1.01", "3.00", 1_000_000L), 2_000_000L, encoder);
  }

  /** Like a Netty channel: unwritable past {@code capacity} unflushed frames, writable again from inside flush. */
  private static final class FakeSink implements FrameSink {
    private final int capacity;
    int queued;
    int flushed;
    Runnable onWritable = () -> { };

    FakeSink(int capacity) {
      this.capacity = capacity;
    }

    @Override
    public boolean writable() {
      return queued < capacity;
    }

    @Override
    public void write(Frame frame) {
      queued++;
    }

    @Override
    public void flush() {
      boolean wasWritable = writable();
      flushed += queued;
      queued = 0;
      if (!wasWritable) {
        onWritable.run();
      }
    }

    @Override
    public boolean writeText(String json) {
      return true;
    }

    @Override
    public void close(short code, String reason) {
    }
  }
}
