package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.tickstream.fanout.impl.metrics.ClientClose;

/**
 * What a transport tells the connection above it: a frame arrived, the socket can take writes again, the client went.
 * The transport owns this interface and calls nothing else of the layer above (the session implements it), so the
 * arrow between the two points one way: session to transport.
 *
 * <p>Threading: every method is called on the connection's event loop.
 */
public interface Inbound {

  /** True once the connection was closed (by either side): a frame arriving now is dropped. */
  boolean isClosed();

  /** Counts one incoming message toward the rate limit; false if it closed the connection for it. */
  boolean admit();

  /** A complete text message (a control request, or for SockJS one SockJS message). */
  void onMessage(String text);

  /** A ping; the payload is only read during the call. */
  void onPing(ByteBuf payload);

  /** A pong; the payload is only read during the call. */
  void onPong(ByteBuf payload);

  /** A binary message: not part of the protocol. */
  void onBinary();

  /** The transport can take writes again: pending ticks may go out. */
  void onDrain();

  /** Closes the connection for what the client did, with the reason's own code. */
  void close(ClientClose why);

  /** Closes the connection for what the client did, with a code and text of the transport's choosing. */
  void close(ClientClose why, short code, String reason);

  /** The transport is gone: release everything the connection holds. Idempotent. */
  void release();
}
