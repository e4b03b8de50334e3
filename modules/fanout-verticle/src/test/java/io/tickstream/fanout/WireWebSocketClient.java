package io.tickstream.fanout;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client at the level of bytes on a TCP socket: it writes any request head and any frame (masked or
 * not, fragmented or not) and reads the server's frames one by one, so tests can send what well-behaved client
 * libraries never send.
 */
class WireWebSocketClient implements AutoCloseable {

  static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  /** One frame from the server. */
  record WireFrame(boolean fin, int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeStatus() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }
  }

  private final Socket socket = new Socket();
  /** The socket's input, for {@link #readFrame(DataInputStream)}. */
  final DataInputStream in;
  private final OutputStream out;

  WireWebSocketClient(int port) throws IOException {
    this(null, port);
  }

  /**
   * A connection from {@code source} (null: any local address); 127.0.0.0/8 is all local on Linux, so tests can look
   * like many clients, or like a load balancer, from one process.
   */
  WireWebSocketClient(String source, int port) throws IOException {
    this(source, port, 0);
  }

  /** As {@link #WireWebSocketClient(String, int)}, with a fixed receive buffer (0: the OS's autotuned one). */
  WireWebSocketClient(String source, int port, int receiveBufferBytes) throws IOException {
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    if (source != null) {
      socket.bind(new InetSocketAddress(source, 0));
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(20_000);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  static String upgradeRequest(String uri, String extraHeaders) {
    return "GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void write(String ascii) throws IOException {
    write(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  /** The response head, up to and including the empty line. */
  String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      head.write(in.readUnsignedByte());
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** The head of a response with a body, and as much of the body as Content-Length says. */
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
    return head + new String(body, StandardCharsets.UTF_8);
  }

  /** A client frame: masked unless {@code masked} is false (which a server must refuse). */
  static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
    byte[] mask = null;
    if (masked) {
      mask = new byte[4];
      ThreadLocalRandom.current().nextBytes(mask);
    }
    return frame((fin ? 0x80 : 0) | opcode, payload, mask);
  }

  /**
   * Any frame: {@code firstByte} as given (FIN, RSV bits, opcode, legal or not), the length encoded minimally, the
   * payload masked with {@code mask} (4 bytes) or unmasked when it is null.
   */
  static byte[] frame(int firstByte, byte[] payload, byte[] mask) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write(firstByte);
    int maskBit = mask != null ? 0x80 : 0;
    if (payload.length <= 125) {
      f.write(maskBit | payload.length);
    } else if (payload.length <= 0xFFFF) {
      f.write(maskBit | 126);
      f.write(payload.length >> 8);
      f.write(payload.length & 0xFF);
    } else {
      f.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >> (8 * i)) & 0xFF);
      }
    }
    if (mask == null) {
      f.writeBytes(payload);
      return f.toByteArray();
    }
    f.write(mask, 0, 4);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    return f.toByteArray();
  }

  static byte[] text(boolean fin, int opcode, String text) {
    return frame(fin, opcode, text.getBytes(StandardCharsets.UTF_8), true);
  }

  static byte[] close(int status) {
    return frame(true, 8, new byte[] {(byte) (status >> 8), (byte) status}, true);
  }

  /** The next frame from the server, whatever its type. */
  WireFrame read() throws IOException {
    return readFrame(in);
  }

  /** One server frame from {@code in}: header, extended length, payload (server frames are never masked). */
  static WireFrame readFrame(DataInputStream in) throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    if ((b1 & 0x80) != 0) {
      throw new IOException("a server frame must not be masked");
    }
    long len = b1 & 0x7F;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new WireFrame((b0 & 0x80) != 0, b0 & 0x0F, payload);
  }

  /** The next frame that is not a ping (the server pings on its own schedule). */
  WireFrame readSkippingPings() throws IOException {
    WireFrame f;
    do {
      f = read();
    } while (f.opcode() == 9);
    return f;
  }

  /** True once the server closed the TCP connection (reads end). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (EOFException e) {
      return true;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
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
    try {
      while (in.read() >= 0) {
        // whatever the node still sent
      }
    } catch (java.net.SocketException reset) {
      // a reset is a close too
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
