package io.tickstream.loadgen.impl;

import java.util.Arrays;
import java.util.List;

/**
 * Slot of a symbol among every symbol of the run, looked up straight from a frame's bytes: for connections that
 * subscribe to {@code !bookTicker}, where any of thousands of symbols can come next and a linear scan (what a
 * connection of a few symbols does, {@link TickFields#slot}) would cost thousands of comparisons per message.
 *
 * <p>An open-addressing table of the symbols' ASCII bytes, at most half full, built once and never changed: safe
 * to share between event loops once constructed (final fields), and a lookup allocates nothing.
 */
public final class SymbolIndex {

  private final byte[][] symbols;
  /** Slot + 1 per table entry; 0 is empty. Length a power of two, at least twice the symbols. */
  private final int[] table;
  private final int mask;

  /** @param symbols distinct symbols; slot {@code i} is {@code symbols.get(i)} */
  public SymbolIndex(List<String> symbols) {
    this.symbols = new byte[symbols.size()][];
    int capacity = Integer.highestOneBit(Math.max(2, symbols.size()) * 2 - 1) << 1;
    this.table = new int[capacity];
    this.mask = capacity - 1;
    for (int i = 0; i < symbols.size(); i++) {
      byte[] s = TickFields.ascii(symbols.get(i));
      this.symbols[i] = s;
      int at = hash(s, 0, s.length) & mask;
      while (table[at] != 0) {
        if (Arrays.equals(this.symbols[table[at] - 1], s)) {
          throw new IllegalArgumentException("symbol listed twice: " + symbols.get(i));
        }
        at = (at + 1) & mask;
      }
      table[at] = i + 1;
    }
  }

  /** How many symbols; slots are {@code 0 .. size() - 1}. */
  public int size() {
    return symbols.length;
  }

  /**
   * Slot of the symbol whose value starts at {@code from} in {@code m[0, len)} and ends at the next {@code "};
   * -1 if it is not one of the symbols or has no closing quote.
   */
  int slot(byte[] m, int len, int from) {
    if (from < 0) {
      return -1;
    }
    int end = from;
    while (end < len && m[end] != '"') {
      end++;
    }
    if (end >= len) {
      return -1;
    }
    int at = hash(m, from, end) & mask;
    for (int e = table[at]; e != 0; at = (at + 1) & mask, e = table[at]) {
      byte[] s = symbols[e - 1];
      if (Arrays.equals(m, from, end, s, 0, s.length)) {
        return e - 1;
      }
    }
    return -1;
  }

  private static int hash(byte[] b, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + b[i];
    }
    return h ^ (h >>> 16);
  }
}
