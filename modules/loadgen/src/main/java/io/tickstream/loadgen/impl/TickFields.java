package io.tickstream.loadgen.impl;

/**
 * Reads {@code u}, {@code s} and {@code pt} out of a book-ticker message (raw, or inside a combined
 * {@code {"stream":..,"data":{..}}} wrapper) by position, without parsing the JSON: this runs for every message.
 */
final class TickFields {

  private TickFields() {
  }

  static final String S = "\"s\":\"";
  static final String U = "\"u\":";
  static final String PT = "\"pt\":";
  static final String FT = "\"ft\":";

  /** The number at {@code from}, or -1 if there is none. */
  static long number(String m, int from) {
    long v = 0;
    int i = from;
    int n = m.length();
    while (i < n && m.charAt(i) == ' ') {
      i++;
    }
    int start = i;
    while (i < n) {
      char c = m.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
      i++;
    }
    return i == start ? -1 : v;
  }

  /** Index in {@code symbols} of the symbol whose value starts at {@code from}, or -1. */
  static int slot(String m, int from, String[] symbols) {
    for (int i = 0; i < symbols.length; i++) {
      String s = symbols[i];
      int end = from + s.length();
      if (end < m.length() && m.charAt(end) == '"' && m.regionMatches(from, s, 0, s.length())) {
        return i;
      }
    }
    return -1;
  }
}
