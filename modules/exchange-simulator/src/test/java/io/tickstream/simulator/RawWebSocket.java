package io.tickstream.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client written by hand on a TCP socket: it never answers pings (Vert.x's client always does),
 * and it can send pongs of its choosing. Records the opcodes and close code of the frames it receives.
 */
final class RawWebSocket {

  final NetSocket socket;
  final List<Integer> opcodes = new CopyOnWriteArrayList<>();
  volatile Integer closeCode;
  volatile boolean tcpClosed;
  private Buffer pending = Buffer.buffer();
  private boolean upgraded;

  private RawWebSocket(NetSocket socket) {
    this.socket = socket;
  }

  static RawWebSocket connect(Vertx vertx, String host, int port, String uri) throws Exception {
    NetSocket socket = vertx.createNetClient().connect(port, host).await(10, TimeUnit.SECONDS);
    RawWebSocket ws = new RawWebSocket(socket);
    socket.handler(ws::onData);
    socket.closeHandler(v -> ws.tcpClosed = true);
    socket.write("GET " + uri + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    return ws;
  }

  private void onData(Buffer data) {
    pending.appendBuffer(data);
    if (!upgraded) {
      String text = pending.toString(StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        return;
      }
      upgraded = true;
      pending = pending.getBuffer(end + 4, pending.length());
    }
    while (pending.length() >= 2) {
      int opcode = pending.getByte(0) & 0x0F;
      int len = pending.getByte(1) & 0x7F;
      int header = 2;
      if (len == 126) {
        if (pending.length() < 4) {
          return;
        }
        len = pending.getUnsignedShort(2);
        header = 4;
      } else if (len == 127) {
        if (pending.length() < 10) {
          return;
        }
        len = (int) pending.getLong(2);
        header = 10;
      }
      if (pending.length() < header + len) {
        return;
      }
      if (opcode == 0x8 && len >= 2) {
        closeCode = pending.getUnsignedShort(header);
      }
      opcodes.add(opcode);
      pending = pending.getBuffer(header + len, pending.length());
    }
  }

  /** Sends a masked pong carrying {@code payload} (at most 125 bytes). */
  void pong(String payload) {
    byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
    Buffer frame = Buffer.buffer().appendByte((byte) 0x8A).appendByte((byte) (0x80 | p.length)).appendInt(0);
    frame.appendBytes(p); // mask key 0: payload unchanged
    socket.write(frame);
  }

  long pings() {
    return opcodes.stream().filter(o -> o == 0x9).count();
  }
}
