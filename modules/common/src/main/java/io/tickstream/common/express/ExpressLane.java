package io.tickstream.common.express;

import io.vertx.core.buffer.Buffer;


/**
 * The one place that knows the express lane's address and wire format, shared by the ingest (which publishes)
 * and the fanout (which consumes); the two roles never import each other.
 *
 * <p>What it is: besides writing each tick to Kafka, an ingest node publishes it on the clustered Vert.x event
 * bus at {@link #ADDRESS}; every fanout node with {@code fanout.express} on consumes that address and hands the
 * ticks to its loops as it does Kafka's. Each loop delivers a symbol's tick only if its {@code u} is above the
 * last one it delivered, so whichever copy comes first reaches the clients and the later one is dropped and
 * counted. Kafka stays the record: the snapshot a node rebuilds at start, and every tick the express lane lost
 * (it is fire-and-forget: no acknowledgement, no retry, nothing queued for a node that is away).
 *
 * <p>Wire format of one message (a {@link Buffer}, the event bus's own codec, so nothing to register): for each
 * tick, a 4-byte big-endian length then the tick's Kafka record value ({@code BookTickerEncoder#recordValue}, which
 * carries {@code pt}). One message carries every tick a chunk sent to Kafka in one event-loop turn.
 *
 * <p>Thread-safe: stateless.
 */
public final class ExpressLane {

  /** Clustered event-bus address of the express lane. */
  public static final String ADDRESS = "tickstream.express.book-tickers";

  private ExpressLane() {
  }

  /** Appends one tick's record value to a message being built. */
  public static void append(Buffer message, byte[] recordValue) {
    message.appendInt(recordValue.length).appendBytes(recordValue);
  }

  /** One tick's record value inside a message: {@code bytes[offset, offset + length)}. */
  @FunctionalInterface
  public interface ValueHandler {
    void value(byte[] bytes, int offset, int length);
  }

  /**
   * Hands every tick's record value in {@code message} to {@code value} in order, undecoded: a receiver that already
   * has a tick's {@code u} drops its copy without parsing it ({@code io.tickstream.common.tick.RecordPeek}).
   *
   * @return 1 if the message is truncated (nothing after the truncation can be framed), else 0
   */
  public static int forEachValue(Buffer message, ValueHandler value) {
    byte[] bytes = message.getBytes();
    int pos = 0;
    while (pos + 4 <= bytes.length) {
      int len = message.getInt(pos);
      pos += 4;
      if (len < 0 || pos + len > bytes.length) {
        return 1;
      }
      value.value(bytes, pos, len);
      pos += len;
    }
    return 0;
  }
}
