package io.tickstream.fanout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A raw TCP client of the client port from a chosen loopback address ({@link WireWebSocketClient#WireWebSocketClient(String, int)}):
 * what the admission tests need to look like many clients, or like a load balancer, from one process.
 */
final class AdmissionPeer extends WireWebSocketClient {

  AdmissionPeer(String source, int port) throws IOException {
    super(source, port);
  }

  /** Opens a connection from {@code source}, sends {@code prefix} (a PROXY header, or nothing) and a WebSocket upgrade. */
  static AdmissionPeer upgrade(String source, int port, byte[] prefix, String uri, String extraHeaders) throws IOException {
    AdmissionPeer p = new AdmissionPeer(source, port);
    p.write(prefix);
    p.write(upgradeRequest(uri, extraHeaders));
    return p;
  }

  /** The status line and body of one WebSocket upgrade from {@code source}; the connection is closed afterwards. */
  static String upgradeStatus(String source, int port, byte[] prefix, String extraHeaders) throws IOException {
    try (AdmissionPeer p = upgrade(source, port, prefix, "/ws", extraHeaders)) {
      String response = p.readResponse();
      int bodyStart = response.indexOf("\r\n\r\n") + 4;
      String status = response.substring(0, response.indexOf("\r\n"));
      return bodyStart < response.length() ? status + "\n" + response.substring(bodyStart) : status;
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
}
