package io.tickstream.fanout;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A blocking WebSocket client on a plain socket with a tiny receive buffer: it reads only when the test says
 * so, which is how a test makes a client that stops reading. Text frames are returned one by one; a close
 * frame ends the stream and leaves its status in {@link #closeStatus}.
 */
final class RawWebSocketClient implements AutoCloseable {

  private final Socket socket = new Socket();
  private final DataInputStream in;
  private final OutputStream out;
  int closeStatus = -1;

  RawWebSocketClient(int port, String uri) throws IOException {
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(20_000);
    out = socket.getOutputStream();
    out.write(("GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream raw = socket.getInputStream();
    in = new DataInputStream(raw);
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = raw.read();
      if (b < 0) {
        throw new IOException("closed during handshake: " + head);
      }
      head.write(b);
    }
    if (!head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
      throw new IOException("handshake refused: " + head);
    }
  }

  /** The next text message, skipping pings; null once a close frame arrived. */
  String next() throws IOException {
    while (true) {
      WireWebSocketClient.WireFrame frame = WireWebSocketClient.readFrame(in);
      byte[] payload = frame.payload();
      int opcode = frame.opcode();
      if (opcode == 1) {
        return new String(payload, StandardCharsets.UTF_8);
      }
      if (opcode == 8) {
        closeStatus = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        return null;
      }
    }
  }

  /**
   * Sends a masked ping without reading anything; throws once the node has reset the connection (the first write
   * after a reset may still succeed: the reset arrives in answer to it).
   */
  void ping() throws IOException {
    out.write(new byte[]{(byte) 0x89, (byte) 0x80, 1, 2, 3, 4});
    out.flush();
  }

  /** Writes any bytes (frames made by {@link WireWebSocketClient#frame}) without reading anything. */
  void send(byte[] frames) throws IOException {
    out.write(frames);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
