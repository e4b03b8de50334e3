package io.tickstream.loadgen.impl;

import io.vertx.core.buffer.Buffer;

/**
 * One event loop's reusable copy of the message being read: every connection of a lane copies its frame's bytes
 * here and parses them in place, so the message path allocates nothing of its own. Grows to the largest message
 * seen and stays there. Not thread-safe: one lane, one event loop, one message at a time.
 */
final class ReceiveBuffer {

  private byte[] bytes = new byte[1024];
  private int length;

  /** Copies {@code b} in; the bytes are valid until the next call. */
  byte[] load(Buffer b) {
    int n = b.length();
    if (n > bytes.length) {
      bytes = new byte[Math.max(n, bytes.length * 2)];
    }
    b.getBytes(0, n, bytes, 0);
    length = n;
    return bytes;
  }

  /** Length of the message last loaded. */
  int length() {
    return length;
  }
}
