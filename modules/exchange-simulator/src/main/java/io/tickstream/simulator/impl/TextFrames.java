package io.tickstream.simulator.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Builds complete, unmasked WebSocket text frames (header + payload) in pooled direct buffers.
 *
 * <p>Why: a tick goes to many connections. Encoding the frame once and handing each channel a retained
 * duplicate avoids Netty's per-frame header copy and NIO's heap-to-direct copy, and lets a connection take
 * many frames before one flush (one syscall). Frames written this way bypass the WebSocket encoder, which
 * passes {@link ByteBuf}s through untouched.
 *
 * <p>Stateless and thread-safe. The caller owns the returned buffer and must release it.
 */
final class TextFrames {

  private TextFrames() {
  }

  /** A FIN text frame carrying {@code utf8}. */
  static ByteBuf text(byte[] utf8) {
    int len = utf8.length;
    int header = len <= 125 ? 2 : len <= 0xFFFF ? 4 : 10;
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(header + len);
    buf.writeByte(0x81);
    if (len <= 125) {
      buf.writeByte(len);
    } else if (len <= 0xFFFF) {
      buf.writeByte(126);
      buf.writeShort(len);
    } else {
      buf.writeByte(127);
      buf.writeLong(len);
    }
    buf.writeBytes(utf8);
    return buf;
  }

  static ByteBuf text(String text) {
    return text(text.getBytes(StandardCharsets.UTF_8));
  }
}
