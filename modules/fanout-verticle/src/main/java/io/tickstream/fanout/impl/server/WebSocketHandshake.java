package io.tickstream.fanout.impl.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The server side of the RFC 6455 opening handshake, for upgrades this node serves on its own channel pipeline
 * ({@link WebSocketChannelUpgrade}): which requests qualify, the refusal each other one gets, and the {@code 101}.
 *
 * <p>The checks and statuses are the ones Vert.x 5 and Netty applied before (so clients see no difference): a
 * {@code Connection} header without {@code upgrade} is 400, a method other than GET 405, an
 * {@code Upgrade} that is not {@code websocket} or a missing or malformed {@code Sec-WebSocket-Key} 400, and a
 * {@code Sec-WebSocket-Version} other than 13 (or the drafts 8 and 7, which frame identically) 426 with
 * {@code Sec-WebSocket-Version: 13}, as RFC 6455 section 4.4 asks. One difference: a request without any version
 * header is refused with 426; Netty would have spoken the 2010 draft (hixie-76) to it, which no client in use needs.
 * No extension (compression defeats encode-once) and no subprotocol is ever selected: a client asking for one gets
 * the 101 without it, as before.
 *
 * <p>Stateless; thread-safe.
 */
final class WebSocketHandshake {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WebSocketHandshake() {
  }

  /** Why a request is refused: the HTTP status and body to answer with. */
  record Refusal(int status, String body, boolean upgradeRequired) {
  }

  /** Null if {@code req} is a WebSocket opening handshake this node accepts, else how to refuse it. */
  static Refusal check(HttpServerRequest req) {
    MultiMap h = req.headers();
    String connection = h.get(HttpHeaders.CONNECTION);
    if (connection == null || !connection.toLowerCase(Locale.ROOT).contains("upgrade")) {
      return new Refusal(400, "\"Connection\" header must be \"Upgrade\".", false);
    }
    if (req.method() != HttpMethod.GET) {
      return new Refusal(405, "", false);
    }
    String version = h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
    if (version == null || !(version.equals("13") || version.equals("8") || version.equals("7"))) {
      return new Refusal(426, "", true);
    }
    String upgrade = h.get(HttpHeaders.UPGRADE);
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      return new Refusal(400, "Bad Request: not a WebSocket upgrade", false);
    }
    if (!validKey(h.get(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
      return new Refusal(400, "Bad Request: missing or invalid Sec-WebSocket-Key", false);
    }
    String length = h.get(HttpHeaders.CONTENT_LENGTH);
    if (h.contains(HttpHeaders.TRANSFER_ENCODING) || (length != null && !length.trim().equals("0"))) {
      // Bytes after the head would be taken for WebSocket frames.
      return new Refusal(400, "Bad Request: an upgrade request has no body", false);
    }
    return null;
  }

  /** RFC 6455 4.2.1: the key is the base64 of 16 bytes. */
  private static boolean validKey(String key) {
    if (key == null) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key.trim()).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** {@code base64(SHA-1(key + GUID))}, RFC 6455 4.2.2. */
  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JDK", e);
    }
  }

  /** The complete {@code 101 Switching Protocols} response for {@code key}, ready for the socket. */
  static ByteBuf switchingProtocols(String key) {
    String head = "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: "
        + accept(key) + "\r\n\r\n";
    return Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII));
  }
}
