package io.tickstream.fanout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Random client frames and frame sequences for {@link WireFuzzTest}, drawn from one seeded {@link Random}, so a seed
 * gives the same bytes every time: valid and invalid control messages, every opcode including the reserved ones, RSV
 * bits, unmasked frames, lengths that lie (shorter, longer, non-minimal, 64-bit), fragments with control frames and
 * new messages between them, oversized and fragmented control frames, invalid UTF-8, ping floods, close frames with
 * odd codes, binary frames, oversized messages and raw garbage.
 */
final class FuzzFrames {

  /**
   * The kinds of move. Those a node may accept (control messages, fragments, pings, pongs) come up more often than
   * those that end the connection, so that connections live long enough to reach later states.
   */
  static final String[] KINDS = {"control-json", "control-json", "control-json", "random-json", "invalid-utf8",
      "any-opcode", "rsv-bits", "unmasked", "lying-length", "fragments", "fragments", "bad-control-frame", "ping-flood",
      "ping-flood", "odd-close", "binary", "oversized", "garbage", "unsolicited-pong", "unsolicited-pong"};

  private static final String[] METHODS = {"SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY",
      "GET_PROPERTY", "subscribe", "", "PING"};
  private static final String[] PARAMS = {"\"bnbusdt@bookTicker\"", "\"BNBUSDT@BOOKTICKER@100ms\"", "\"!bookTicker\"",
      "\"nosuch@bookTicker\"", "\"combined\"", "true", "1", "null", "[]", "{}", "\"bnbusdt@trade\"", "\"\""};
  private static final String[] IDS = {"1", "-1", "9223372036854775807", "92233720368547758070", "\"abc\"", "null",
      "1.5", "true", "\"" + "x".repeat(40) + "\"", "[]"};
  private static final int[] CLOSE_CODES = {0, 1, 999, 1000, 1001, 1002, 1004, 1005, 1006, 1012, 1015, 1016, 2999,
      3000, 4999, 5000, 65535};

  private final Random random;
  private final int maxFrameBytes;

  FuzzFrames(Random random, int maxFrameBytes) {
    this.random = random;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** One move's bytes and what it was, for the failure report. */
  record Move(String kind, byte[] bytes) {
  }

  Move next() {
    String kind = KINDS[random.nextInt(KINDS.length)];
    return new Move(kind, bytes(kind));
  }

  private byte[] bytes(String kind) {
    return switch (kind) {
      case "control-json" -> frame(0x81, true, utf8(controlJson()));
      case "random-json" -> frame(0x81, true, utf8(randomJson(3)));
      case "invalid-utf8" -> frame(0x81, true, invalidUtf8());
      case "any-opcode" -> frame((random.nextBoolean() ? 0x80 : 0) | random.nextInt(16), true, randomBytes(random.nextInt(130)));
      case "rsv-bits" -> frame(0x80 | ((1 + random.nextInt(7)) << 4) | pick(1, 2, 9, 10), true, utf8(controlJson()));
      case "unmasked" -> frame(0x80 | pick(1, 2, 9, 10, 8), false, utf8(controlJson()));
      case "lying-length" -> lyingLength();
      case "fragments" -> fragments();
      case "bad-control-frame" -> random.nextBoolean()
          ? frame(0x80 | pick(8, 9, 10), true, randomBytes(126 + random.nextInt(200)))  // over 125 bytes
          : frame(pick(8, 9, 10), true, randomBytes(random.nextInt(20)));               // FIN clear
      case "ping-flood" -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = 20 + random.nextInt(300);
        for (int i = 0; i < n; i++) {
          out.writeBytes(frame(0x89, true, randomBytes(random.nextInt(126))));
        }
        yield out.toByteArray();
      }
      case "odd-close" -> oddClose();
      case "binary" -> frame((random.nextBoolean() ? 0x80 : 0) | 2, true, randomBytes(random.nextInt(300)));
      case "oversized" -> frame(0x80 | pick(1, 2), true,
          utf8("[" + "1,".repeat((maxFrameBytes + random.nextInt(maxFrameBytes * 4 + 1000)) / 2) + "1]"));
      case "garbage" -> randomBytes(1 + random.nextInt(200));
      case "unsolicited-pong" -> frame(0x8A, true, randomBytes(random.nextInt(126)));
      default -> throw new IllegalStateException(kind);
    };
  }

  private int pick(int... options) {
    return options[random.nextInt(options.length)];
  }

  String controlJson() {
    StringBuilder params = new StringBuilder("[");
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      params.append(i == 0 ? "" : ",").append(PARAMS[random.nextInt(PARAMS.length)]);
    }
    params.append(']');
    return "{\"method\":\"" + METHODS[random.nextInt(METHODS.length)] + "\",\"params\":" + params + ",\"id\":"
        + IDS[random.nextInt(IDS.length)] + "}";
  }

  private String randomJson(int depth) {
    int k = random.nextInt(depth == 0 ? 4 : 7);
    return switch (k) {
      case 0 -> Long.toString(random.nextLong());
      case 1 -> "\"" + new String(randomBytes(random.nextInt(10)), StandardCharsets.ISO_8859_1).replace("\"", "'")
          .replace("\\", "/") + "\"";
      case 2 -> pickString("true", "false", "null", "1e999", "-0", "{", "]", "\"\\ud800\"");
      case 3 -> "{\"method\":" + pickString("\"SUBSCRIBE\"", "1", "null", "[]") + "}";
      case 4, 5 -> {
        StringBuilder sb = new StringBuilder("[");
        for (int i = random.nextInt(4); i > 0; i--) {
          sb.append(randomJson(depth - 1)).append(i > 1 ? "," : "");
        }
        yield sb.append(']').toString();
      }
      default -> "{\"" + random.nextInt(100) + "\":" + randomJson(depth - 1) + "}";
    };
  }

  private String pickString(String... options) {
    return options[random.nextInt(options.length)];
  }

  private byte[] invalidUtf8() {
    byte[][] bad = {{(byte) 0xC3}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(utf8("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":\""));
    out.writeBytes(bad[random.nextInt(bad.length)]);
    out.writeBytes(utf8("\"}"));
    return out.toByteArray();
  }

  /** A frame whose length field does not match its payload, or is encoded oddly. */
  private byte[] lyingLength() {
    byte[] payload = utf8(controlJson());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x81);
    int form = random.nextInt(5);
    long declared = switch (form) {
      case 0 -> Math.max(0, payload.length - 1 - random.nextInt(payload.length)); // shorter: the rest is read as frames
      case 1 -> payload.length + 1 + random.nextInt(50);                          // longer: the frame never ends
      case 2 -> payload.length;                                                   // non-minimal 16-bit or 64-bit form
      case 3 -> 0x7FFF_FFFF_FFFF_FFFFL - random.nextInt(1000);                    // 64-bit, beyond any limit
      default -> 0x8000_0000_0000_0000L | random.nextInt(1000);                   // 64-bit with the forbidden top bit
    };
    boolean wide = form >= 3 || random.nextBoolean();
    if (!wide && declared <= 125 && form != 2) {
      out.write(0x80 | (int) declared);
    } else if (!wide && declared <= 0xFFFF) {
      out.write(0x80 | 126);
      out.write((int) (declared >> 8));
      out.write((int) declared);
    } else {
      out.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        out.write((int) (declared >>> (8 * i)));
      }
    }
    byte[] mask = randomBytes(4);
    out.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i & 3]);
    }
    return out.toByteArray();
  }

  /** A fragmented message with control frames, stray continuations or a second message start between its parts. */
  private byte[] fragments() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] whole = utf8(controlJson());
    int parts = 1 + random.nextInt(Math.min(6, whole.length));
    int at = 0;
    boolean binary = random.nextInt(5) == 0;
    for (int p = 0; p < parts; p++) {
      int end = p == parts - 1 ? whole.length : at + random.nextInt(whole.length - at);
      byte[] part = java.util.Arrays.copyOfRange(whole, at, end);
      at = end;
      boolean last = p == parts - 1 && random.nextInt(6) != 0; // sometimes never finished
      int opcode = p == 0 ? (binary ? 2 : 1) : (random.nextInt(10) == 0 ? 1 : 0); // sometimes a new start inside
      out.writeBytes(frame((last ? 0x80 : 0) | opcode, true, part));
      if (random.nextInt(3) == 0) {
        out.writeBytes(frame(0x80 | pick(9, 10, 9), true, randomBytes(random.nextInt(20))));
      }
      if (random.nextInt(12) == 0) {
        out.writeBytes(oddClose());
      }
    }
    if (random.nextInt(8) == 0) {
      out.writeBytes(frame(0x80, true, utf8("stray continuation")));
    }
    return out.toByteArray();
  }

  private byte[] oddClose() {
    return switch (random.nextInt(4)) {
      case 0 -> frame(0x88, true, new byte[0]);
      case 1 -> frame(0x88, true, new byte[] {(byte) random.nextInt(256)}); // one byte: no valid code
      case 2 -> {
        int code = CLOSE_CODES[random.nextInt(CLOSE_CODES.length)];
        byte[] reason = random.nextBoolean() ? randomBytes(random.nextInt(120)) : utf8("bye");
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        yield frame(0x88, true, payload);
      }
      default -> frame(0x88, true, new byte[] {0x03, (byte) 0xE8, (byte) 0xC3, (byte) 0x28}); // 1000, invalid UTF-8
    };
  }

  byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** Bytes that precede an upgrade request: random, with line breaks, so the HTTP decoder sees whole bad lines. */
  byte[] garbageLine() {
    byte[] b = randomBytes(1 + random.nextInt(300));
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\r' || b[i] == '\n') {
        b[i] = 'x';
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('X'); // not whitespace or a control character, which the HTTP decoder skips while waiting for a request
    out.writeBytes(b);
    out.writeBytes(utf8("\r\n\r\n"));
    return out.toByteArray();
  }

  /** A frame with its length encoded minimally and, when {@code masked}, a mask from this run's seeded generator. */
  byte[] frame(int finRsvOpcode, boolean masked, byte[] payload) {
    return WireWebSocketClient.frame(finRsvOpcode, payload, masked ? randomBytes(4) : null);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
