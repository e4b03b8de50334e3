package io.tickstream.fanout.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

import java.nio.ByteBuffer;

/**
 * One outgoing text message, encoded once per node and shared by every connection that sends it.
 *
 * <p>{@link #text} is the JSON (for SockJS, which frames it itself); {@link #webSocketFrame} is the complete
 * WebSocket text frame (header and payload) in direct memory, written to each channel as a
 * {@link ByteBuf#duplicate() duplicate}: Netty's WebSocket encoder would otherwise copy every payload under
 * 1 KiB into a fresh buffer per connection, and NIO would copy a heap buffer to a direct one per write.
 * The direct memory belongs to a {@link ByteBuffer} freed by the GC, and the {@link ByteBuf} is unreleasable,
 * so no reference counting is needed however many connections hold it. Immutable and thread-safe.
 *
 * <p>Why slabs: {@code ByteBuffer.allocateDirect} per frame cost ~2 µs and a Cleaner each (the benchmark spent a
 * quarter of its time in GC reference processing). Frames are carved from a per-thread direct slab of
 * {@value #SLAB_BYTES} bytes instead; a slab is freed when no frame cut from it is referenced. The price: a
 * symbol's long-lived latest tick can pin its slab, at worst one slab per silent symbol.
 */
final class Frame {

  static final int SLAB_BYTES = 16 * 1024;
  private static final ThreadLocal<ByteBuffer[]> SLAB = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

  final Buffer text;
  private final ByteBuf webSocketFrame;

  Frame(Buffer text) {
    this.text = text;
    int len = text.length();
    int header = len <= 125 ? 2 : (len <= 0xFFFF ? 4 : 10);
    ByteBuffer nio = allocate(header + len);
    nio.put((byte) 0x81); // FIN + text opcode; server frames are never masked
    if (len <= 125) {
      nio.put((byte) len);
    } else if (len <= 0xFFFF) {
      nio.put((byte) 126).putShort((short) len);
    } else {
      nio.put((byte) 127).putLong(len);
    }
    nio.put(text.getBytes());
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
  ByteBuf webSocketFrame() {
    return webSocketFrame.duplicate();
  }

  int length() {
    return text.length();
  }
}
