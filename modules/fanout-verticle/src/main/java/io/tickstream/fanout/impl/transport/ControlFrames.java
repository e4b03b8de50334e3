package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * Encodes the frames a server writes besides ticks (control replies, notices, pings, pongs, closes) as complete,
 * unmasked RFC 6455 frames (server frames are never masked, 5.1), ready to be written below any WebSocket encoder:
 * both WebSocket transports write them at the same place as the shared tick frames ({@link Frame}), so they sit in
 * the same Netty queue, in order, where {@link OutboundBudget} counts them.
 *
 * <p>Stateless; thread-safe. Each call allocates one buffer of the frame's exact size from {@code alloc}, which the
 * channel releases once written.
 */
public final class ControlFrames {

  private static final int OP_TEXT = 0x81;
  private static final int OP_CLOSE = 0x88;
  private static final int OP_PING = 0x89;
  private static final int OP_PONG = 0x8A;
  /** Payload of our pings: a random long, so only a client that read the ping can echo it. */
  public static final int PING_PAYLOAD_BYTES = Long.BYTES;
  static final int PING_FRAME_BYTES = 2 + PING_PAYLOAD_BYTES;

  private ControlFrames() {
  }

  /** A text frame of {@code json}, encoded as UTF-8 straight into the frame. */
  static ByteBuf text(ByteBufAllocator alloc, String json) {
    int len = ByteBufUtil.utf8Bytes(json);
    ByteBuf frame = header(alloc, OP_TEXT, len);
    ByteBufUtil.reserveAndWriteUtf8(frame, json, len);
    return frame;
  }

  /** Size of the text frame {@link #text} would make of a payload of {@code len} bytes. */
  static int textFrameBytes(int len) {
    return headerBytes(len) + len;
  }

  static ByteBuf ping(ByteBufAllocator alloc, long payload) {
    return header(alloc, OP_PING, PING_PAYLOAD_BYTES).writeLong(payload);
  }

  /** A pong carrying {@code payload} (at most 125 bytes: the decoder refuses longer control frames). */
  static ByteBuf pong(ByteBufAllocator alloc, ByteBuf payload) {
    ByteBuf frame = header(alloc, OP_PONG, payload.readableBytes());
    frame.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    return frame;
  }

  /** A close frame with {@code code} and as much of {@code reason} as a control frame holds. */
  static ByteBuf close(ByteBufAllocator alloc, short code, String reason) {
    byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
    int len = Math.min(2 + text.length, 125); // a control frame's payload is at most 125 bytes
    ByteBuf frame = header(alloc, OP_CLOSE, len);
    frame.writeShort(code);
    frame.writeBytes(text, 0, len - 2);
    return frame;
  }

  /** A close frame without a status (the answer to a client's close that had none). */
  static ByteBuf emptyClose(ByteBufAllocator alloc) {
    return header(alloc, OP_CLOSE, 0);
  }

  /** A buffer of the frame's exact size with its FIN/opcode byte and unmasked length already written. */
  private static ByteBuf header(ByteBufAllocator alloc, int finAndOpcode, int len) {
    ByteBuf buf = alloc.buffer(headerBytes(len) + len);
    buf.writeByte(finAndOpcode);
    if (len <= 125) {
      buf.writeByte(len);
    } else if (len <= 0xFFFF) {
      buf.writeByte(126).writeShort(len);
    } else {
      buf.writeByte(127).writeLong(len);
    }
    return buf;
  }

  private static int headerBytes(int len) {
    return len <= 125 ? 2 : (len <= 0xFFFF ? 4 : 10);
  }
}
