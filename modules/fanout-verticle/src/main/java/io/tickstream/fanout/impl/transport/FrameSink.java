package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;

/**
 * Where one connection's frames go: a WebSocket channel or a SockJS session. Called only on the connection's
 * event loop.
 */
public interface FrameSink {

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

  /**
   * Bytes this connection's frames have left the node's queue with so far (handed to the socket), counted the way the
   * queue counts them; {@link SlowLinkFit} measures a slow client's bandwidth with it.
   */
  default long deliveredBytes() {
    return 0;
  }

  /** The node's queue for this connection: past it the sink is not {@link #writable()}; 0 if it has none to size. */
  default int queueLimit() {
    return 0;
  }

  /** The socket's send buffer ({@code SO_SNDBUF}) now; 0 where the transport cannot set it. */
  default int socketBuffer() {
    return 0;
  }

  /**
   * Sizes the node's queue to {@code queueBytes} and, where the transport can ({@code socketBytes > 0}), the socket's
   * send buffer to {@code socketBytes}, and makes the sink {@link #writable()} only while its queue and its socket's
   * unsent bytes hold fewer than {@code unsentBytes} together ({@link UnsentGate}; 0: no such limit):
   * {@link SlowLinkFit} fits them to a slow client's bandwidth, and back.
   */
  default void fitTo(int queueBytes, int socketBytes, int unsentBytes) {
  }

  /**
   * How many bytes its socket holds unsent past the limit {@link #fitTo} set (0 if not past it now), or -1 if the sink
   * sets no such limit or its queue is not writable (a writability event then comes). A sender with ticks pending
   * and an answer of 0 or more looks again later: no event says when the kernel has sent. (It must look again even at
   * 0: the count changes between two reads, and a sender that saw it high once and low the next time would otherwise
   * wait for an event that never comes.)
   */
  default long unsentExcess() {
    return -1;
  }

  /** Closes with a WebSocket close code (SockJS: its close frame). */
  void close(short code, String reason);
}
