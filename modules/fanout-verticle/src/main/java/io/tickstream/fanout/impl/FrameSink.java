package io.tickstream.fanout.impl;

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

  /** Sends a control reply or notice and flushes. */
  void writeText(String json);

  /** Sends a ping if the transport has them; SockJS has its own heartbeats. */
  void ping();

  /** Closes with a WebSocket close code (SockJS: its close frame). */
  void close(short code, String reason);
}
