package io.tickstream.fanout.impl.session;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.common.stream.InvalidStreamNameException;
import io.tickstream.common.stream.StreamName;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import io.tickstream.fanout.impl.metrics.SendCounters;
import io.tickstream.fanout.impl.source.EncodedTick;
import io.tickstream.fanout.impl.transport.Frame;
import io.tickstream.fanout.impl.transport.FrameSink;
import io.tickstream.fanout.impl.transport.SlowLinkFit;
import io.vertx.core.Handler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ConflatingSender}'s contract, against a recording {@link FrameSink} and a clock the test moves (timers fire
 * when the test advances the clock past them, on the test's thread, as they would on the event loop).
 */
class ConflatingSenderTest {

  private static final long GRACE_MILLIS = 5_000;

  private final ManualTimers timers = new ManualTimers();
  private final SendLoop loop = new SendLoop(timers, GRACE_MILLIS, new NodeMetrics(new SimpleMeterRegistry()));
  private final SendCounters counters = loop.counters;
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  private final RecordingSink sink = new RecordingSink();
  private int stalls;
  private final ConflatingSender sender = new ConflatingSender(loop, sink, false, () -> {
    stalls++;
    sink.closeCode = ConflatingSender.CLOSE_TRY_AGAIN_LATER;
  });

  @Test
  void aWritableConnectionGetsEachTickAtOnceAndOneFlushPerPass() {
    Subscription a = subscribe("AUSDT");
    EncodedTick t1 = tick("AUSDT", 1);
    EncodedTick t2 = tick("AUSDT", 2);

    sender.offer(a, t1, timers.now);
    assertThat(sink.written).containsExactly(t1.raw);
    sender.offer(a, t2, timers.now);
    assertThat(sink.written).containsExactly(t1.raw, t2.raw);
    assertThat(sink.flushes).isZero();

    loop.flushDirty();
    assertThat(sink.flushes).isEqualTo(1);
    loop.flushDirty();
    assertThat(sink.flushes).as("nothing written since: no second flush").isEqualTo(1);
    assertThat(counters.framesOut).isEqualTo(2);
    assertThat(counters.conflatedDrops).isZero();
    assertThat(counters.pendingTicks).isZero();
  }

  @Test
  void anUnwritableConnectionKeepsOnlyTheNewestTickPerSubscriptionAndCountsTheDrops() {
    Subscription a = subscribe("AUSDT");
    Subscription b = subscribe("BUSDT");
    sink.writable = false;

    sender.offer(a, tick("AUSDT", 1), timers.now);
    sender.offer(a, tick("AUSDT", 2), timers.now);
    EncodedTick a3 = tick("AUSDT", 3);
    sender.offer(a, a3, timers.now);
    sender.offer(b, tick("BUSDT", 1), timers.now);
    EncodedTick b2 = tick("BUSDT", 2);
    sender.offer(b, b2, timers.now);

    assertThat(sink.written).isEmpty();
    assertThat(counters.conflatedDrops).isEqualTo(3);
    assertThat(counters.pendingTicks).isEqualTo(2);

    sink.writable = true;
    sender.onDrain();
    assertThat(sink.written).containsExactly(a3.raw, b2.raw);
    assertThat(sink.flushes).as("the drain flushes what it wrote").isEqualTo(1);
    assertThat(counters.pendingTicks).isZero();
    assertThat(counters.framesOut).isEqualTo(2);
  }

  @Test
  void allBookTickersConflatesPerSymbolAndKeepsEachSymbolsNewestTick() {
    Subscription all = subscribeAll();
    sink.writable = false;

    sender.offer(all, tick("AUSDT", 1), timers.now);
    EncodedTick b1 = tick("BUSDT", 1);
    sender.offer(all, b1, timers.now);
    EncodedTick a2 = tick("AUSDT", 2);
    sender.offer(all, a2, timers.now);

    assertThat(counters.conflatedDrops).isEqualTo(1);
    assertThat(counters.pendingTicks).isEqualTo(2);
    sink.writable = true;
    sender.onDrain();
    assertThat(sink.written).containsExactlyInAnyOrder(a2.raw, b1.raw);
    assertThat(counters.pendingTicks).isZero();
  }

  @Test
  void aTickOfferedWhileOthersArePendingQueuesBehindThemEvenIfTheSinkIsWritableAgain() {
    Subscription a = subscribe("AUSDT");
    Subscription b = subscribe("BUSDT");
    sink.writable = false;
    EncodedTick b1 = tick("BUSDT", 1);
    sender.offer(b, b1, timers.now);
    sink.writable = true; // the channel drained, but its writability event has not reached the sender yet

    EncodedTick a1 = tick("AUSDT", 1);
    sender.offer(a, a1, timers.now);
    assertThat(sink.written).as("a tick does not overtake the backlog").isEmpty();

    sender.onDrain();
    assertThat(sink.written).as("subscriptions drain in the order they fell behind").containsExactly(b1.raw, a1.raw);
  }

  @Test
  void aDrainStopsWhenTheSinkFillsAgainAndTheRestFollowsAtTheNextDrain() {
    Subscription a = subscribe("AUSDT");
    Subscription b = subscribe("BUSDT");
    Subscription c = subscribe("CUSDT");
    sink.writable = false;
    EncodedTick a1 = tick("AUSDT", 1);
    EncodedTick b1 = tick("BUSDT", 1);
    EncodedTick c1 = tick("CUSDT", 1);
    sender.offer(a, a1, timers.now);
    sender.offer(b, b1, timers.now);
    sender.offer(c, c1, timers.now);

    sink.writable = true;
    sink.capacity = 1; // unwritable again after one frame
    sender.onDrain();
    assertThat(sink.written).containsExactly(a1.raw);

    sink.capacity = Integer.MAX_VALUE;
    sender.onDrain();
    assertThat(sink.written).containsExactly(a1.raw, b1.raw, c1.raw);
    assertThat(counters.pendingTicks).isZero();
  }

  @Test
  void uNeverDecreasesPerSymbolAndStreamWhateverTheWritabilityDoes() {
    sender.combined = true; // the symbol's stream and !bookTicker then get different frames of a tick
    Subscription a = subscribe("AUSDT");
    Subscription b = subscribe("BUSDT");
    Subscription all = subscribeAll();
    List<EncodedTick> offered = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(12);
    long[] u = new long[2];
    for (int i = 0; i < 5_000; i++) {
      switch (random.nextInt(6)) {
        case 0 -> sink.writable = !sink.writable;
        case 1 -> {
          sink.writable = true;
          sink.capacity = random.nextInt(1, 4);
          sender.onDrain();
          sink.capacity = Integer.MAX_VALUE;
        }
        case 2 -> loop.flushDirty();
        default -> {
          int s = random.nextInt(2);
          EncodedTick t = tick(s == 0 ? "AUSDT" : "BUSDT", ++u[s]);
          offered.add(t);
          sender.offer(s == 0 ? a : b, t, timers.now);
          sender.offer(all, t, timers.now);
        }
      }
    }
    sink.writable = true;
    sender.onDrain();
    assertThat(counters.pendingTicks).isZero();

    // Which tick and stream each written frame is: the combined frame for the symbol's stream, the !bookTicker
    // variant (built once per tick and cached, so the same object) for the other.
    Map<Frame, String> streamOf = new HashMap<>();
    Map<Frame, EncodedTick> tickOf = new HashMap<>();
    for (EncodedTick t : offered) {
      streamOf.put(t.combined, t.symbol());
      tickOf.put(t.combined, t);
      Frame f = t.frame(true, StreamName.allBookTickers(), encoder);
      streamOf.put(f, "!bookTicker/" + t.symbol());
      tickOf.put(f, t);
    }
    Map<String, Long> last = new HashMap<>();
    for (Frame f : sink.written) {
      String key = streamOf.get(f);
      long v = tickOf.get(f).updateId();
      assertThat(v).as("u on %s", key).isGreaterThan(last.getOrDefault(key, 0L));
      last.put(key, v);
    }
    assertThat(last).as("the newest tick of each symbol reaches each stream").containsOnly(
        Map.entry("AUSDT", u[0]), Map.entry("BUSDT", u[1]),
        Map.entry("!bookTicker/AUSDT", u[0]), Map.entry("!bookTicker/BUSDT", u[1]));
    assertThat(counters.framesOut + counters.conflatedDrops).as("each tick is written or dropped, per stream")
        .isEqualTo(2 * (u[0] + u[1]));
  }

  @Test
  void aConnectionThatStaysBehindForTheGracePeriodIsClosedWith1013() {
    Subscription a = subscribe("AUSDT");
    sink.writable = false;
    sender.offer(a, tick("AUSDT", 1), timers.now);

    timers.advance(GRACE_MILLIS - 1);
    assertThat(stalls).isZero();
    timers.advance(1);
    assertThat(stalls).isEqualTo(1);
    assertThat(sink.closeCode).isEqualTo((short) 1013);
    assertThat(counters.slowClientCloses).isEqualTo(1);
  }

  @Test
  void eachDrainRestartsTheGracePeriod() {
    Subscription a = subscribe("AUSDT");
    Subscription b = subscribe("BUSDT");
    sink.writable = false;
    sender.offer(a, tick("AUSDT", 1), timers.now);
    sender.offer(b, tick("BUSDT", 1), timers.now);

    timers.advance(GRACE_MILLIS - 1);
    sink.writable = true;
    sink.capacity = 1; // progress, but still behind
    sender.onDrain();
    timers.advance(GRACE_MILLIS - 1);
    assertThat(stalls).as("a reader that makes progress is not cut").isZero();
    timers.advance(1);
    assertThat(stalls).isEqualTo(1);
  }

  @Test
  void aConnectionThatCatchesUpIsNotClosed() {
    Subscription a = subscribe("AUSDT");
    sink.writable = false;
    sender.offer(a, tick("AUSDT", 1), timers.now);
    sink.writable = true;
    sender.onDrain();

    timers.advance(2 * GRACE_MILLIS);
    assertThat(stalls).isZero();
    assertThat(timers.pending()).isZero();
  }

  @Test
  void aSenderWaitingForItsSocketsUnsentBytesLooksAgainUntilTheyFallThenSendsTheNewest() {
    Subscription a = subscribe("AUSDT");
    sink.limitsUnsent = true;
    sink.unsentAtLimit = true;
    sender.offer(a, tick("AUSDT", 1), timers.now);
    EncodedTick newest = tick("AUSDT", 2);
    sender.offer(a, newest, timers.now);
    assertThat(sink.written).isEmpty();

    // No writability event comes for the kernel's unsent bytes: the sender looks again by itself, for as long as needed.
    for (int i = 0; i < 5; i++) {
      timers.advance(SlowLinkFit.UNSENT_RECHECK_MAX_MILLIS);
      assertThat(sink.written).isEmpty();
    }
    sink.unsentAtLimit = false;
    timers.advance(SlowLinkFit.UNSENT_RECHECK_MAX_MILLIS);
    assertThat(sink.written).containsExactly(newest.raw);
    assertThat(counters.conflatedDrops).isEqualTo(1);
    assertThat(timers.pending()).as("nothing pending: no more looks, no grace timer").isZero();
  }

  @Test
  void aSenderThatSawTheUnsentBytesHighThenLowIsNotLeftWaiting() {
    Subscription a = subscribe("AUSDT");
    sink.limitsUnsent = true;
    sink.unsentAtLimit = true;
    sender.offer(a, tick("AUSDT", 1), timers.now);
    // The kernel sends between the sender's look and its decision to wait: the next look must still come.
    sink.unsentAtLimit = false;
    timers.advance(SlowLinkFit.UNSENT_RECHECK_MAX_MILLIS);
    assertThat(sink.written).hasSize(1);
  }

  @Test
  void aThrottledSubscriptionWritesAtMostOneTickPerIntervalTheNewestAtTheEndOfIt() {
    Subscription a = subscribe("ausdt@bookTicker@100ms");
    EncodedTick t1 = tick("AUSDT", 1);
    sender.offer(a, t1, timers.now);
    assertThat(sink.written).as("the first tick after a quiet interval goes at once").containsExactly(t1.raw);

    timers.advance(10);
    sender.offer(a, tick("AUSDT", 2), timers.now);
    timers.advance(10);
    EncodedTick t3 = tick("AUSDT", 3);
    sender.offer(a, t3, timers.now);
    assertThat(sink.written).containsExactly(t1.raw);
    assertThat(counters.conflatedDrops).isEqualTo(1);

    timers.advance(79);
    assertThat(sink.written).containsExactly(t1.raw);
    timers.advance(1);
    assertThat(sink.written).as("the newest, at the end of the interval").containsExactly(t1.raw, t3.raw);
    assertThat(sink.flushes).as("the timer flushes what it wrote").isEqualTo(1);

    timers.advance(500);
    EncodedTick t4 = tick("AUSDT", 4);
    sender.offer(a, t4, timers.now);
    assertThat(sink.written).as("quiet for an interval: at once again").containsExactly(t1.raw, t3.raw, t4.raw);
  }

  @Test
  void aThrottledSubscriptionThatIsDueWhileUnwritableWaitsForTheDrain() {
    Subscription a = subscribe("ausdt@bookTicker@100ms");
    sender.offer(a, tick("AUSDT", 1), timers.now);
    EncodedTick t2 = tick("AUSDT", 2);
    sender.offer(a, t2, timers.now);
    sink.writable = false;

    timers.advance(100);
    assertThat(sink.written).hasSize(1);
    sink.writable = true;
    sender.onDrain();
    assertThat(sink.written).hasSize(2).last().isSameAs(t2.raw);
  }

  @Test
  void discardForgetsPendingTicksTimersAndTheBacklogPlace() {
    Subscription a = subscribe("AUSDT");
    Subscription b = subscribe("BUSDT");
    Subscription throttled = subscribe("cusdt@bookTicker@1000ms");
    sender.offer(throttled, tick("CUSDT", 1), timers.now);
    sender.offer(throttled, tick("CUSDT", 2), timers.now);
    sink.writable = false;
    sender.offer(a, tick("AUSDT", 1), timers.now);
    EncodedTick b1 = tick("BUSDT", 1);
    sender.offer(b, b1, timers.now);
    assertThat(counters.pendingTicks).isEqualTo(3);

    sender.discard(a);
    sender.discard(throttled);
    assertThat(counters.pendingTicks).isEqualTo(1);
    assertThat(a.hasPending()).isFalse();
    assertThat(throttled.timerId).isEqualTo(-1);

    sink.writable = true;
    sender.onDrain();
    timers.advance(2_000);
    assertThat(sink.written).hasSize(2).last().isSameAs(b1.raw);
  }

  @Test
  void afterCloseNoTimerOrDrainWritesAnything() {
    Subscription a = subscribe("ausdt@bookTicker@100ms");
    sender.offer(a, tick("AUSDT", 1), timers.now);
    sender.offer(a, tick("AUSDT", 2), timers.now);
    sink.writable = false;
    Subscription b = subscribe("BUSDT");
    sender.offer(b, tick("BUSDT", 1), timers.now);

    sender.close();
    sink.writable = true;
    sender.onDrain();
    timers.advance(2 * GRACE_MILLIS);
    assertThat(sink.written).hasSize(1);
    assertThat(stalls).as("the grace timer was cancelled").isZero();
  }

  private Subscription subscribe(String stream) {
    StreamName name = stream.contains("@") ? parse(stream) : parse(stream.toLowerCase() + "@bookTicker");
    return new Subscription(sender, name, new SymbolSlot(name.symbol()));
  }

  private static StreamName parse(String stream) {
    try {
      return StreamName.parse(stream);
    } catch (InvalidStreamNameException e) {
      throw new AssertionError(e);
    }
  }

  private Subscription subscribeAll() {
    return new Subscription(sender, StreamName.allBookTickers(), null);
  }

  private EncodedTick tick(String symbol, long u) {
    return new EncodedTick(new BookTicker(u, symbol, "1.00", "2.00", "1.01", "3.00", 1_000_000L), 2_000_000L, encoder);
  }

  /** Records frames in order; writable while {@link #writable} and fewer than {@link #capacity} frames are unflushed. */
  private static final class RecordingSink implements FrameSink {
    final List<Frame> written = new ArrayList<>();
    boolean writable = true;
    int capacity = Integer.MAX_VALUE;
    int unflushed;
    int flushes;
    short closeCode;

    /** The sink bounds its socket's unsent bytes (a slow client's fit), and they are at the bound now. */
    boolean limitsUnsent;
    boolean unsentAtLimit;

    @Override
    public boolean writable() {
      return writable && unflushed < capacity && !(limitsUnsent && unsentAtLimit);
    }

    @Override
    public long unsentExcess() {
      return limitsUnsent && writable && unflushed < capacity ? (unsentAtLimit ? 4096 : 0) : -1;
    }

    @Override
    public void write(Frame frame) {
      written.add(frame);
      unflushed++;
    }

    @Override
    public void flush() {
      flushes++;
      unflushed = 0;
    }

    @Override
    public boolean writeText(String json) {
      return true;
    }

    @Override
    public void close(short code, String reason) {
      closeCode = code;
    }
  }

  /** A clock the test moves; timers run, in due order, when it passes them. */
  private static final class ManualTimers implements LoopTimers {
    long now = 1_000_000;
    private long nextId;
    private final TreeMap<Long, List<Object[]>> due = new TreeMap<>();
    private final Map<Long, Long> dueById = new HashMap<>();

    @Override
    public long nowMillis() {
      return now;
    }

    @Override
    public long setTimer(long delayMillis, Handler<Long> handler) {
      assertThat(delayMillis).isPositive();
      long id = nextId++;
      due.computeIfAbsent(now + delayMillis, k -> new ArrayList<>()).add(new Object[]{id, handler});
      dueById.put(id, now + delayMillis);
      return id;
    }

    @Override
    public void cancelTimer(long id) {
      Long at = dueById.remove(id);
      if (at != null) {
        due.get(at).removeIf(e -> (long) e[0] == id);
      }
    }

    int pending() {
      return dueById.size();
    }

    @SuppressWarnings("unchecked")
    void advance(long millis) {
      long until = now + millis;
      while (!due.isEmpty() && due.firstKey() <= until) {
        Map.Entry<Long, List<Object[]>> first = due.pollFirstEntry();
        now = first.getKey();
        for (Object[] e : first.getValue()) {
          if (dueById.remove((long) e[0]) != null) {
            ((Handler<Long>) e[1]).handle((long) e[0]);
          }
        }
      }
      now = until;
    }
  }
}
