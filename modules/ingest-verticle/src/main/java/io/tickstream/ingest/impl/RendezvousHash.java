package io.tickstream.ingest.impl;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Highest-random-weight (rendezvous) hashing: which members should hold a chunk. Every node computes the same
 * answer from the same member list, with no messages; when a member joins, only the chunks it now wins move to
 * it (about a fair share), and when one leaves, only its chunks move, spread over the others.
 *
 * <p>Stateless; any thread.
 */
final class RendezvousHash {

  private RendezvousHash() {
  }

  /** The {@code replicas} members (fewer if there are fewer members) with the highest weight for {@code chunk}. */
  static List<String> owners(String chunk, Collection<String> members, int replicas) {
    return members.stream()
        .sorted(Comparator.comparingLong((String m) -> weight(chunk, m)).reversed().thenComparing(Comparator.naturalOrder()))
        .limit(replicas)
        .toList();
  }

  /** FNV-1a over "chunk|member", then a 64-bit finalizer: stable across JVMs and versions. */
  static long weight(String chunk, String member) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (chunk + "|" + member).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
