package io.tickstream.fanout.impl.source;

import io.tickstream.common.stream.StreamName;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.fanout.impl.transport.Frame;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A tick accepted by the node, stamped with {@code ft} and encoded once: the raw frame and the combined frame
 * of {@code <symbol>@bookTicker} are built by the Kafka thread; the combined frames of the throttled variants
 * and of {@code !bookTicker}, whose envelopes name another stream, are built lazily, once per tick, by the
 * first event loop that needs one. Thread-safe: fields are final and lazy frames are published with a CAS.
 */
public final class EncodedTick {

  /** Lazy variants: 0-3 the symbol's throttled streams, 4-8 !bookTicker and its throttled streams. */
  private static final int VARIANTS = 9;

  /** Null for a delisting (see {@link #delisting}). */
  public final BookTicker tick;
  private final String symbol;
  public final long ftMicros;
  public final Frame raw;
  public final Frame combined;
  /**
   * The Kafka consumer re-based its symbol onto this tick's lower {@code u} ({@code fanout.u-rebase-after}): a loop
   * takes it although its {@code u} is not above the last one it delivered, and follows the new sequence from it.
   */
  public final boolean rebase;
  private volatile AtomicReferenceArray<Frame> variants;

  public EncodedTick(BookTicker tick, long ftMicros, BookTickerEncoder encoder) {
    this(tick, ftMicros, encoder, false);
  }

  public EncodedTick(BookTicker tick, long ftMicros, BookTickerEncoder encoder, boolean rebase) {
    this.rebase = rebase;
    this.tick = tick;
    this.symbol = tick.symbol();
    this.ftMicros = ftMicros;
    if (encoder == null) {
      this.raw = null;
      this.combined = null;
    } else {
      String stream = tick.symbol().toLowerCase(java.util.Locale.ROOT) + "@bookTicker";
      this.raw = Frame.raw(encoder, tick, ftMicros);
      this.combined = Frame.combined(encoder, tick, stream, ftMicros);
    }
  }

  /**
   * A tick read while the snapshot is rebuilt, not encoded: most such ticks are superseded by a newer one of their
   * symbol before the snapshot is published, and encoding them was a fifth of the rebuild's CPU (docs/benchmarks.md,
   * "Start to ready"). It must never reach a loop as it is: {@link #encoded} makes the one that does.
   */
  static EncodedTick unencoded(BookTicker tick, long ftMicros, boolean rebase) {
    return new EncodedTick(tick, ftMicros, null, rebase);
  }

  /** This tick with its frames: itself if it has them (or is a delisting), else a copy encoded now. */
  EncodedTick encoded(BookTickerEncoder encoder) {
    return raw != null || tick == null ? this : new EncodedTick(tick, ftMicros, encoder, rebase);
  }

  private EncodedTick(String symbol) {
    this.rebase = false;
    this.tick = null;
    this.symbol = symbol;
    this.ftMicros = 0;
    this.raw = null;
    this.combined = null;
  }

  /**
   * Not a tick: tells each loop, in the batch's order, that {@code symbol} was delisted (a Kafka tombstone). It has
   * no frames and never reaches a connection.
   */
  public static EncodedTick delisting(String symbol) {
    return new EncodedTick(symbol);
  }

  public boolean isDelisting() {
    return tick == null;
  }

  public String symbol() {
    return symbol;
  }

  public long updateId() {
    return tick.updateId();
  }

  /**
   * The frame a connection subscribed to {@code stream} receives for this tick.
   *
   * @param encoder the calling thread's own encoder, used only when a variant is built
   */
  public Frame frame(boolean combinedFormat, StreamName stream, BookTickerEncoder encoder) {
    if (!combinedFormat) {
      return raw;
    }
    if (!stream.isAllSymbols() && stream.intervalMillis() == 0) {
      return combined;
    }
    int index = variantIndex(stream);
    AtomicReferenceArray<Frame> v = variants;
    if (v == null) {
      synchronized (this) {
        v = variants;
        if (v == null) {
          variants = v = new AtomicReferenceArray<>(VARIANTS);
        }
      }
    }
    Frame f = v.get(index);
    if (f == null) {
      f = Frame.combined(encoder, tick, stream.toString(), ftMicros);
      if (!v.compareAndSet(index, null, f)) {
        f = v.get(index);
      }
    }
    return f;
  }

  private static int variantIndex(StreamName stream) {
    int interval = StreamName.INTERVALS_MILLIS.indexOf(stream.intervalMillis()); // -1 for every tick
    return stream.isAllSymbols() ? 5 + interval : interval;
  }
}
