package io.tickstream.ingest.impl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which streams form which chunk: the same answer on every ingest node that sees the same symbols, so that nodes
 * can share chunks by name.
 *
 * <p>Each stream goes to slot {@code hash(stream) mod K} of a stable hash (murmur3's finalizer over
 * {@link String#hashCode()}, which the Java specification fixes), where {@code K} is the smallest power of two that
 * keeps every slot within {@code ingest.chunk-size}. A chunk is a non-empty slot, named {@code "slot/K"}.
 *
 * <p>Why hashing rather than slicing the sorted list: a new listing lands in its own slot and changes nothing
 * else, so one node discovering it before another moves no other symbol between owners. {@code K} changes only
 * when the symbol count crosses a power-of-two multiple of the chunk size (Binance: about 1,500 TRADING
 * symbols, so K = 2 with the default 1024); then chunks are formed anew, and nodes agree again once each has
 * refreshed its symbols. The price is fill: chunks hold about {@code n/K} streams, not exactly 1024.
 *
 * <p>Immutable; any thread.
 */
public final class ChunkLayout {

  private final int slots;
  private final Map<String, List<String>> chunks;

  private ChunkLayout(int slots, Map<String, List<String>> chunks) {
    this.slots = slots;
    this.chunks = chunks;
  }

  /** The layout of {@code streams} in chunks of at most {@code chunkSize}. */
  public static ChunkLayout of(Collection<String> streams, int chunkSize) {
    List<String> sorted = List.copyOf(new TreeSet<>(streams));
    int k = 1;
    while ((long) k * chunkSize < sorted.size()) {
      k <<= 1;
    }
    while (true) {
      List<List<String>> buckets = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        buckets.add(new ArrayList<>());
      }
      for (String s : sorted) {
        buckets.get(slot(s, k)).add(s);
      }
      if (buckets.stream().allMatch(b -> b.size() <= chunkSize)) {
        Map<String, List<String>> chunks = new TreeMap<>();
        for (int i = 0; i < k; i++) {
          if (!buckets.get(i).isEmpty()) {
            chunks.put(key(i, k), List.copyOf(buckets.get(i)));
          }
        }
        return new ChunkLayout(k, Collections.unmodifiableMap(chunks));
      }
      k <<= 1;
    }
  }

  /** The slot of {@code stream} among {@code k} (a power of two). */
  static int slot(String stream, int k) {
    return mix(stream.hashCode()) & (k - 1);
  }

  /** murmur3's 32-bit finalizer: spreads String.hashCode's clustered values over every bit. */
  static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  static String key(int slot, int k) {
    return slot + "/" + k;
  }

  /** The slot number of a chunk key, for meter tags and connection ids. */
  static int slotOf(String key) {
    return Integer.parseInt(key.substring(0, key.indexOf('/')));
  }

  /** Chunk key to its streams (sorted), non-empty chunks only, ordered by key. */
  public Map<String, List<String>> chunks() {
    return chunks;
  }

  /** Number of non-empty chunks. */
  public int size() {
    return chunks.size();
  }

  /** K, the number of slots. */
  public int slots() {
    return slots;
  }

  /** Streams in all chunks. */
  public int streamCount() {
    return chunks.values().stream().mapToInt(List::size).sum();
  }
}
