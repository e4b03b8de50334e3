package io.tickstream.fanout.impl.loop;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.tickstream.common.config.Config;
import io.tickstream.common.stream.StreamName;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.fanout.FanoutSettings;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import io.tickstream.fanout.impl.session.ClientSession;
import io.tickstream.fanout.impl.source.EncodedTick;
import io.tickstream.fanout.impl.transport.Frame;
import io.tickstream.fanout.impl.transport.FrameSink;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-tick path of a fanout node, without the network: decode the Kafka record value once, encode the raw
 * and combined frames once ({@link EncodedTick}), then dispatch to N connections subscribed to the symbol
 * through the real {@link LoopDispatcher} and {@link io.tickstream.fanout.impl.session.ConflatingSender}, into in-memory sinks that take a view
 * of the shared WebSocket frame (what the channel write takes) and never become unwritable.
 *
 * <p>What it leaves out, on purpose: the syscalls (one {@code write} per connection per batch), which dominate a
 * real broadcast; see stack-facts for those costs measured over TCP.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class PerTickPathBenchmark {

  @Param({"1", "100", "10000"})
  public int connections;

  private Vertx vertx;
  private LoopDispatcher dispatcher;
  private FanoutConfig config;
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  private byte[][] records;
  private long u = 1_000;
  private int next;
  /** The last u dispatched: above the records' (which start at 1,000) from the first operation on. */
  private long dispatchU = 1_000_000;
  private long ft = 1_764_180_000_000_000L;
  private static long bytes;
  /** Frames the sinks took this trial: {@link #tearDown} checks the dispatch really reached every connection. */
  private static long frames;

  /** A connection that is always writable and swallows frames. */
  static final class NullSink implements FrameSink {
    @Override public boolean writable() { return true; }
    @Override public void write(Frame frame) { ByteBuf view = frame.webSocketFrame(); bytes += view.readableBytes(); frames++; }
    @Override public void flush() { }
    @Override public boolean writeText(String json) { return true; }
    @Override public void close(short code, String reason) { }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    frames = 0;
    vertx = Vertx.vertx();
    Context context = vertx.getOrCreateContext();
    FanoutConfig config = FanoutConfig.of(Config.defaults(FanoutSettings.ALL));
    dispatcher = new LoopDispatcher(vertx, context, config, new NodeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    this.config = config;
    records = new byte[1024][];
    for (int i = 0; i < records.length; i++) {
      records[i] = encoder.recordValue(new BookTicker(u + i, "BNBUSDT", "25.35190000", "31.21000000",
          "25.36520000", "40.66000000", 1_764_180_000_123_456L + i));
    }
    dispatcher.onTicksAndFlush(List.of(new EncodedTick(BookTickerDecoder.decode(records[0]), ft, encoder)));
    StreamName stream = StreamName.parse("bnbusdt@bookTicker");
    for (int i = 0; i < connections; i++) {
      ClientSession s = new ClientSession(dispatcher.sends, dispatcher, config, new NullSink(), (i & 1) == 1, true);
      s.subscribe(List.of(stream));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertx.close();
    long dispatched = dispatchU - 1_000_000;
    if (dispatched > 0 && frames < dispatched * connections) {
      throw new IllegalStateException(dispatched + " ticks dispatched to " + connections + " connections, but only "
          + frames + " frames written: the benchmark no longer measures the dispatch");
    }
  }

  /** Decode once and encode once: the Kafka thread's cost per record. */
  @Benchmark
  public EncodedTick decodeAndEncodeOnce() throws Exception {
    byte[] record = records[next++ & 1023];
    return new EncodedTick(BookTickerDecoder.decode(record), ft++, encoder);
  }

  /** Decode, encode once, dispatch to every subscribed connection (half raw, half combined), flush. */
  @Benchmark
  public void decodeEncodeAndDispatch(Blackhole bh) throws Exception {
    byte[] record = records[next++ & 1023];
    // A u above every earlier one: the records repeat every 1,024 ticks, and a loop drops a u it has already
    // delivered (a late copy), so without this the dispatch stopped after the first 1,024 operations.
    BookTicker d = BookTickerDecoder.decode(record);
    BookTicker tick = new BookTicker(++dispatchU, d.symbol(), d.bidPrice(), d.bidQty(), d.askPrice(), d.askQty(),
        d.receiveTimeMicros());
    EncodedTick t = new EncodedTick(tick, ft++, encoder);
    dispatcher.onTicksAndFlush(List.of(t));
    bh.consume(bytes);
  }
}
