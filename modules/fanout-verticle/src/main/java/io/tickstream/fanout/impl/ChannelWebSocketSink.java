package io.tickstream.fanout.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket served on this node's own Netty pipeline ({@link WebSocketChannelUpgrade}): every frame is written at
 * the frame handler's context, straight to the socket, without an encoder in between. Tick frames are the shared,
 * pre-encoded ones ({@link Frame}); control replies, pings, pongs and closes are encoded here (server frames are
 * never masked, RFC 6455 5.1).
 *
 * <p>Why not Vert.x's {@code ServerWebSocket}: after an upgrade Vert.x keeps the HTTP/1 connection, the request, a
 * WebSocket connection and its queued-write path per socket, about 10-15 KiB of heap for a socket that is idle
 * almost always (see {@code docs/benchmarks.md}, "Memory per idle connection"). Here a connection is its Netty
 * channel, two small handlers and its {@link ClientSession}.
 *
 * <p>Threading: every method runs on the channel's event loop, which is the event loop of the connection's
 * {@link LoopDispatcher} (the channel was accepted there and never moves).
 */
final class ChannelWebSocketSink implements FrameSink {

  /** Vert.x's default: how long a close waits for the client's close frame before the TCP connection is closed. */
  static final long CLOSING_TIMEOUT_MILLIS = 10_000;
  /**
   * How long a close frame may wait behind data the client does not read before the connection is reset: as long as
   * the close handshake may take. A client that has not read for that long after being closed (typically a stalled
   * one closed with 1013) will not read its close frame either; waiting longer only keeps its file descriptor, its
   * Netty queue and up to {@code net.ipv4.tcp_wmem}'s maximum of kernel send buffer.
   */
  static final long CLOSE_FRAME_DEADLINE_MILLIS = CLOSING_TIMEOUT_MILLIS;
  private static final byte[] PING_PAYLOAD = "tickstream".getBytes(StandardCharsets.US_ASCII);
  /** One ping frame for every connection of the process: it never changes, and it is never released. */
  private static final ByteBuf PING = Unpooled.unreleasableBuffer(Unpooled.unmodifiableBuffer(
      Unpooled.directBuffer(2 + PING_PAYLOAD.length).writeByte(0x89).writeByte(PING_PAYLOAD.length).writeBytes(PING_PAYLOAD)));

  private final ChannelHandlerContext ctx;
  /** A close frame went out: nothing more may follow it (RFC 6455 5.5.1). */
  private boolean closeSent;

  ChannelWebSocketSink(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public boolean writable() {
    return ctx.channel().isWritable();
  }

  @Override
  public void write(Frame frame) {
    if (!closeSent) {
      ctx.write(frame.webSocketFrame(), ctx.voidPromise());
    }
  }

  @Override
  public void flush() {
    ctx.flush();
  }

  @Override
  public void writeText(String json) {
    if (closeSent) {
      return;
    }
    int len = ByteBufUtil.utf8Bytes(json);
    ByteBuf frame = header(0x81, len);
    ByteBufUtil.reserveAndWriteUtf8(frame, json, len);
    ctx.writeAndFlush(frame, ctx.voidPromise());
  }

  @Override
  public void ping() {
    if (!closeSent) {
      ctx.writeAndFlush(PING.duplicate(), ctx.voidPromise());
    }
  }

  /**
   * Answers a client's ping with its payload (at most 125 bytes: the decoder refuses longer control frames). Not while
   * the channel is unwritable: a client that pings and does not read would otherwise grow its outbound buffer without
   * bound (pings are not rate-limited), and one that does not read has no use for the pong.
   */
  void pong(ByteBuf payload) {
    if (!closeSent && ctx.channel().isWritable()) {
      ByteBuf frame = header(0x8A, payload.readableBytes());
      frame.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
      ctx.writeAndFlush(frame, ctx.voidPromise());
    }
  }

  /**
   * Sends a close frame and closes the TCP connection once the client answers it, or {@link #CLOSING_TIMEOUT_MILLIS}
   * after the frame was written if it does not (RFC 6455 7.1.1: the server closes the TCP connection first), or
   * after {@link #CLOSE_FRAME_DEADLINE_MILLIS} if the frame could not even be written (a client that never reads):
   * then the connection is reset (SO_LINGER 0), since a FIN would wait behind the same unread data.
   */
  @Override
  public void close(short code, String reason) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    if (!ctx.channel().isActive()) {
      return;
    }
    ChannelPromise written = ctx.newPromise();
    ctx.writeAndFlush(closeFrame(code, reason), written);
    // A client that stopped reading gets its close frame only once it reads what is queued before it: closing the
    // channel earlier would drop the frame (1006 instead of the code). So, as Vert.x did, the closing timeout runs
    // from the moment the frame is written; the deadline only ends a client that never reads again.
    ScheduledFuture<?> deadline = ctx.executor().schedule(() -> WebSocketSink.abortIfStuck(ctx),
        CLOSE_FRAME_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
    written.addListener(f -> {
      deadline.cancel(false);
      ctx.executor().schedule(() -> {
        ctx.channel().close();
      }, CLOSING_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    });
  }

  /** The client sent a close frame: answer it with {@code code} (unless we already sent ours), then close TCP. */
  void closeReceived(int code) {
    if (closeSent || !ctx.channel().isActive()) {
      ctx.channel().close();
      return;
    }
    closeSent = true;
    ByteBuf frame = code < 0 ? header(0x88, 0) : closeFrame((short) code, "");
    ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
  }

  boolean closeSent() {
    return closeSent;
  }

  private ByteBuf closeFrame(short code, String reason) {
    byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
    int len = Math.min(2 + text.length, 125); // a control frame's payload is at most 125 bytes
    ByteBuf frame = header(0x88, len);
    frame.writeShort(code);
    frame.writeBytes(text, 0, len - 2);
    return frame;
  }

  /** A buffer of the frame's exact size with its FIN/opcode byte and unmasked length already written. */
  private ByteBuf header(int finAndOpcode, int len) {
    int header = len <= 125 ? 2 : (len <= 0xFFFF ? 4 : 10);
    ByteBuf buf = ctx.alloc().buffer(header + len);
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
}
