package io.tickstream.fanout.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * A SockJS session. SockJS frames messages itself ({@code a["..."]}) and flushes per write, so
 * {@link #flush()} has nothing to do; it is the compatibility path, not the fast one.
 */
final class SockJSSink implements FrameSink {

  private final SockJSSocket socket;

  SockJSSink(SockJSSocket socket) {
    this.socket = socket;
  }

  @Override
  public boolean writable() {
    return !socket.writeQueueFull();
  }

  @Override
  public void write(Frame frame) {
    socket.write(frame.text());
  }

  @Override
  public void flush() {
  }

  @Override
  public boolean writeText(String json) {
    socket.write(Buffer.buffer(json));
    return true;
  }

  @Override
  public void close(short code, String reason) {
    socket.close(code, reason);
  }
}
