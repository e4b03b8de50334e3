package io.tickstream.loadgen.impl;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads {@code u}, {@code s}, {@code pt} and {@code ft} out of a book-ticker message (raw, or inside a combined
 * {@code {"stream":..,"data":{..}}} wrapper) by position in its bytes, without parsing the JSON and without
 * decoding it to a {@code String}: this runs for every message, and allocates nothing.
 *
 * <p>Fields are looked for where the node writes them: {@code u} first, {@code s} right after it, and
 * {@code pt}, {@code ft} last, found by scanning back from the end ({@link #before}), so the prices in between are
 * not scanned at all; a field not found there is looked for from the start, so another field order still parses. Symbols are matched byte for byte: the node writes them as plain
 * upper-case ASCII, so a symbol written with JSON escapes ({@code \u0042TC...}) does not match and the message
 * counts as "other".
 */
final class TickFields {

  private TickFields() {
  }

  static final byte[] S = ascii("\"s\":\"");
  static final byte[] U = ascii("\"u\":");
  static final byte[] PT = ascii("\"pt\":");
  static final byte[] FT = ascii("\"ft\":");
  static final byte[] SERVER_SHUTDOWN = ascii("serverShutdown");

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Index of {@code p} in {@code m[0, len)} at or after {@code from}, or -1. */
  static int indexOf(byte[] m, int len, byte[] p, int from) {
    byte first = p[0];
    int last = len - p.length;
    outer:
    for (int i = Math.max(0, from); i <= last; i++) {
      if (m[i] != first) {
        continue;
      }
      for (int j = 1; j < p.length; j++) {
        if (m[i + j] != p[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Index just past {@code p}, looked for from {@code from} and then, if it is not there, from the start;
   * -1 if it is nowhere.
   */
  static int after(byte[] m, int len, byte[] p, int from) {
    if (from >= 0 && from + p.length <= len && Arrays.equals(m, from, from + p.length, p, 0, p.length)) {
      return from + p.length;
    }
    int at = indexOf(m, len, p, from);
    if (at < 0 && from > 0) {
      at = indexOf(m, len, p, 0);
    }
    return at < 0 ? -1 : at + p.length;
  }

  /**
   * Index just past the last {@code p} that starts at or after {@code floor}, scanning back from the end of the
   * message (where the node writes {@code pt} and {@code ft}); -1 if there is none.
   */
  static int before(byte[] m, int len, byte[] p, int floor) {
    byte first = p[0];
    outer:
    for (int i = len - p.length; i >= Math.max(0, floor); i--) {
      if (m[i] != first) {
        continue;
      }
      for (int j = 1; j < p.length; j++) {
        if (m[i + j] != p[j]) {
          continue outer;
        }
      }
      return i + p.length;
    }
    return -1;
  }

  /** Index just past the digits (and leading spaces) of the number at {@code from}. */
  static int skipNumber(byte[] m, int len, int from) {
    int i = from;
    while (i < len && (m[i] == ' ' || (m[i] >= '0' && m[i] <= '9'))) {
      i++;
    }
    return i;
  }

  /** The non-negative integer at {@code from} (after optional spaces), or -1 if there is none. */
  static long number(byte[] m, int len, int from) {
    long v = 0;
    int i = from;
    while (i < len && m[i] == ' ') {
      i++;
    }
    int start = i;
    while (i < len) {
      int d = m[i] - '0';
      if (d < 0 || d > 9) {
        break;
      }
      v = v * 10 + d;
      i++;
    }
    return i == start ? -1 : v;
  }

  /** Index in {@code symbols} (ASCII bytes) of the symbol whose value starts at {@code from}, or -1. */
  static int slot(byte[] m, int len, int from, byte[][] symbols) {
    for (int i = 0; i < symbols.length; i++) {
      byte[] s = symbols[i];
      int end = from + s.length;
      if (end < len && m[end] == '"' && Arrays.equals(m, from, end, s, 0, s.length)) {
        return i;
      }
    }
    return -1;
  }
}
