package io.tickstream.fanout.impl;

import io.netty.buffer.ByteBuf;

/**
 * Where one connection's frames go: a WebSocket channel or a SockJS session. Called only on the connection's
 * event loop.
 */
interface FrameSink {

  /** False while the transport's outbound queue is above its high-water mark. */
  boolean writable();

  /** Queues a shared tick frame; it leaves the process at the next {@link #flush()} (or at once if the transport cannot defer). */
  void write(Frame frame);

  /** Sends what {@link #write} queued: one syscall for any number of frames. */
  void flush();

  /**
   * Sends a control reply or notice and flushes. False, and nothing written, if it would take the connection past
   * {@code fanout.max-outbound-bytes} ({@link OutboundBudget}): the caller closes the connection.
   */
  boolean writeText(String json);

  /** Sends a ping with {@code payload} if the transport has them (SockJS has its own heartbeats); false as {@link #writeText}. */
  default boolean ping(long payload) {
    return true;
  }

  /** Answers a client's ping with its payload; false as {@link #writeText}. */
  default boolean pong(ByteBuf payload) {
    return true;
  }

  /** Closes with a WebSocket close code (SockJS: its close frame). */
  void close(short code, String reason);
}
