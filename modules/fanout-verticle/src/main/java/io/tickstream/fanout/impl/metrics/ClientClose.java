package io.tickstream.fanout.impl.metrics;

/**
 * Why the node closed a client: each reason has its WebSocket close code, the reason text the close frame carries,
 * and the {@code reason} tag of {@code tickstream_fanout_client_closes_total}. Every close the node decides because of
 * what a client did (or did not do) is one of these and is counted once; closes the node decides for itself (drain,
 * rebalancing: 1012) and closes the client starts are not.
 *
 * <p>Codes: 1008 (policy violation) where the client broke a rule of the protocol or the node, so reconnecting and doing
 * the same again will not help; 1009 for a message over {@code fanout.max-frame-bytes}, RFC 6455's own code; 1013 (try
 * again later) only for a client that stopped reading ticks, which is what a slow network does and reconnecting may cure.
 */
public enum ClientClose {

  /** More incoming frames (text, binary, continuation, ping, pong) in one second than {@code fanout.max-messages-per-second}. */
  RATE_LIMIT("rate-limit", (short) 1008, "Too many messages"),
  /**
   * A control frame (reply, error, notice, ping, pong) would have taken the bytes the node holds for this connection
   * past {@code fanout.max-outbound-bytes}: the client sends requests and does not read the answers.
   */
  OUTBOUND_CAP("outbound-cap", (short) 1008, "Outbound buffer limit exceeded"),
  /** A message, in one frame or in fragments, over {@code fanout.max-frame-bytes}. */
  TOO_BIG("too-big", (short) 1009, "Message too big"),
  /** No pong echoing one of our pings within {@code fanout.pong-timeout}; unsolicited pongs do not count. */
  PONG_TIMEOUT("pong-timeout", (short) 1008, "Pong timeout"),
  /** Ticks pending for the whole {@code fanout.slow-client-grace}: also counted by {@code slow_client_closes}. */
  SLOW_CLIENT("slow-client", (short) 1013, "Slow client: not reading for too long"),
  /** A binary message: the protocol is JSON text. */
  BINARY("binary", (short) 1003, "Binary messages are not supported"),
  /** A frame the WebSocket decoder refused (unmasked, reserved bits, bad control frame...): its own code, 1002 or 1007. */
  PROTOCOL_ERROR("protocol-error", (short) 1002, "Protocol error"),
  /** The connection's client key was revoked (keys file, revocation list) or its JWT expired. */
  REVOKED("revoked", (short) 1008, "API key revoked or expired");

  /** Values in declaration order, without the copy {@link #values()} makes per call. */
  static final ClientClose[] ALL = values();

  public final String tag;
  public final short code;
  public final String text;

  ClientClose(String tag, short code, String text) {
    this.tag = tag;
    this.code = code;
    this.text = text;
  }

  /** The highest close code RFC 6455 assigns (4000-4999: private use). */
  private static final int MAX_CLOSE_CODE = 4999;

  /**
   * The code to answer a client's close frame with: its own, unless it is above 4999. Netty's decoder refuses the
   * reserved codes below 3000 but not those above 4999, which no one defines (RFC 6455 7.4.2): echoing one would send
   * a close frame no client may accept, so it is answered as a protocol error. Both WebSocket transports use it.
   */
  public static int answerTo(int clientCode) {
    return clientCode > MAX_CLOSE_CODE ? PROTOCOL_ERROR.code : clientCode;
  }
}
