package io.tickstream.fanout;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A raw TCP client of the client port, connecting from a chosen loopback address (127.0.0.0/8 is all local on Linux,
 * as the load generator's source addresses use): what the admission tests need to look like many clients, or like a
 * load balancer, from one process.
 */
final class AdmissionPeer implements AutoCloseable {

  private final Socket socket = new Socket();
  final DataInputStream in;
  private final OutputStream out;

  AdmissionPeer(String source, int port) throws IOException {
    socket.bind(new InetSocketAddress(source, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(30_000);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Opens a connection from {@code source}, sends {@code prefix} (a PROXY header, or nothing) and a WebSocket upgrade. */
  static AdmissionPeer upgrade(String source, int port, byte[] prefix, String uri, String extraHeaders) throws IOException {
    AdmissionPeer p = new AdmissionPeer(source, port);
    p.write(prefix);
    p.write(WireWebSocketClient.upgradeRequest(uri, extraHeaders).getBytes(StandardCharsets.US_ASCII));
    return p;
  }

  /** The status line and body of one WebSocket upgrade from {@code source}; the connection is closed afterwards. */
  static String upgradeStatus(String source, int port, byte[] prefix, String extraHeaders) throws IOException {
    try (AdmissionPeer p = upgrade(source, port, prefix, "/ws", extraHeaders)) {
      return p.readResponse();
    }
  }

  /** Opens a SockJS xhr-streaming session {@code session} and returns its status line. */
  static String sockJSSessionStatus(String source, int port, String session) throws IOException {
    try (AdmissionPeer p = new AdmissionPeer(source, port)) {
      p.write(("POST /sockjs/000/" + session + "/xhr_streaming HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return p.readHead().lines().findFirst().orElseThrow();
    }
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void write(String ascii) throws IOException {
    write(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      head.write(in.readUnsignedByte());
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** The status line, and the body when the response has a Content-Length (a 101 has none). */
  String readResponse() throws IOException {
    String head = readHead();
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = new byte[length];
    in.readFully(body);
    return head.lines().findFirst().orElseThrow() + (length > 0 ? "\n" + new String(body, StandardCharsets.UTF_8) : "");
  }

  /** Reads until {@code text} has arrived (anywhere in the byte stream, chunk framing and all). */
  void readUntil(String text) throws IOException {
    StringBuilder seen = new StringBuilder();
    while (seen.indexOf(text) < 0) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before '" + text + "' arrived; read: " + seen);
      }
      seen.append((char) b);
    }
  }

  /**
   * Blocks until the node closes the connection (end of stream or reset), reading and dropping whatever arrives first;
   * fails after the socket timeout.
   */
  void awaitClosedByNode() throws IOException {
    InputStream raw = in;
    try {
      while (raw.read() >= 0) {
        // whatever the node still sent
      }
    } catch (SocketException reset) {
      // a reset is a close too
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
