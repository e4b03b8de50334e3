package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.ByteBuffer;

/**
 * One outgoing text message, encoded once per node and shared by every connection that sends it.
 *
 * <p>The frame is the complete WebSocket text frame (header and payload) in direct memory, written to each channel
 * as a {@link ByteBuf#duplicate() duplicate}: Netty's WebSocket encoder would otherwise copy every payload under
 * 1 KiB into a fresh buffer per connection, and NIO would copy a heap buffer to a direct one per write.
 * The direct memory belongs to a {@link ByteBuffer} freed by the GC, and the {@link ByteBuf} is unreleasable,
 * so no reference counting is needed however many connections hold it. Immutable and thread-safe.
 *
 * <p><b>One copy per frame.</b> The encoder writes the JSON into its scratch array behind
 * {@link BookTickerEncoder#HEADROOM} free bytes; the header, whose size is known once the length is, goes into the
 * headroom just in front of it, and header and payload are copied together, once, into the direct slab. SockJS,
 * which frames messages itself, gets a {@link #text() view} of the payload, not a copy.
 *
 * <p>Why slabs: {@code ByteBuffer.allocateDirect} per frame cost ~2 µs and a Cleaner each (the benchmark spent a
 * quarter of its time in GC reference processing). Frames are carved from a per-thread direct slab of
 * {@value #SLAB_BYTES} bytes instead; a slab is freed when no frame cut from it is referenced. The price: a
 * symbol's long-lived latest tick can pin its slab, at worst one slab per silent symbol.
 */
public final class Frame {

  static final int SLAB_BYTES = 16 * 1024;
  private static final ThreadLocal<ByteBuffer[]> SLAB = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

  private final ByteBuf webSocketFrame;
  private final int headerLength;
  private final int length;

  /** A client's raw-stream message for {@code t}; {@code encoder} is the calling thread's. */
  public static Frame raw(BookTickerEncoder encoder, BookTicker t, long ftMicros) {
    return new Frame(encoder, encoder.encodeClientRaw(t, ftMicros));
  }

  /** A client's combined-stream message for {@code t} on {@code stream}; {@code encoder} is the calling thread's. */
  public static Frame combined(BookTickerEncoder encoder, BookTicker t, String stream, long ftMicros) {
    return new Frame(encoder, encoder.encodeClientCombined(t, stream, ftMicros));
  }

  /** Frames the {@code len} bytes the encoder just left after its headroom. */
  private Frame(BookTickerEncoder encoder, int len) {
    byte[] scratch = encoder.scratch();
    int end = BookTickerEncoder.HEADROOM;
    int start;
    if (len <= 125) {
      start = end - 2;
      scratch[start + 1] = (byte) len;
    } else if (len <= 0xFFFF) {
      start = end - 4;
      scratch[start + 1] = 126;
      scratch[start + 2] = (byte) (len >>> 8);
      scratch[start + 3] = (byte) len;
    } else {
      start = end - 10;
      scratch[start + 1] = 127;
      for (int i = 0; i < 8; i++) {
        scratch[start + 2 + i] = (byte) ((long) len >>> (56 - 8 * i));
      }
    }
    scratch[start] = (byte) 0x81; // FIN + text opcode; server frames are never masked
    this.headerLength = end - start;
    this.length = len;
    ByteBuffer nio = allocate(headerLength + len);
    nio.put(scratch, start, headerLength + len); // the one copy
    nio.flip();
    this.webSocketFrame = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(nio));
  }

  private static ByteBuffer allocate(int size) {
    if (size > SLAB_BYTES / 4) {
      return ByteBuffer.allocateDirect(size);
    }
    ByteBuffer[] holder = SLAB.get();
    ByteBuffer slab = holder[0];
    if (slab == null || slab.remaining() < size) {
      slab = holder[0] = ByteBuffer.allocateDirect(SLAB_BYTES);
    }
    ByteBuffer frame = slab.slice(slab.position(), size);
    slab.position(slab.position() + size);
    return frame;
  }

  /** A view of the WebSocket frame to write to one channel (allocates one small view object). */
  public ByteBuf webSocketFrame() {
    return webSocketFrame.duplicate();
  }

  /**
   * The JSON text without the WebSocket header, for transports that frame messages themselves (SockJS): a view of
   * the frame's memory, not a copy (allocates two small view objects). Read-only by contract: it is shared.
   */
  Buffer text() {
    return BufferInternal.buffer(webSocketFrame.slice(headerLength, length));
  }

  /** Length of the JSON text in bytes. */
  int length() {
    return length;
  }
}
