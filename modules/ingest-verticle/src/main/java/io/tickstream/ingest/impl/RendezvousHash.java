package io.tickstream.ingest.impl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Highest-random-weight (rendezvous) hashing: which members should hold a chunk. Every node computes the same
 * answer from the same member list, with no messages; when a member joins, mostly the chunks it now wins move to
 * it, and when one leaves, mostly its chunks move, spread over the others. {@link #assign} bounds every member's
 * load to an even share, at the price of a few more moves.
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

  /**
   * The holders of every chunk, {@code replicas} each (fewer if there are fewer members), balanced: of the
   * {@code chunks x replicas} places, every member holds an even share, rounded down or up. Each chunk goes to its
   * highest-weight members that still have room, except a member whose room equals the chunks left, which must take
   * this one (that keeps every later chunk able to find {@code replicas} distinct members). Chunks are taken in name
   * order and who rounds up is decided by weight too, so every node computes the same answer from the same inputs,
   * whatever their order. Why balance: plain rendezvous hashing leaves a member with no chunk at all with
   * probability 2^(1-n) for n chunks and two members; a node that joins must take a fair share. The price is a few
   * more chunks moving when membership changes.
   */
  static Map<String, List<String>> assign(Collection<String> chunks, Collection<String> members, int replicas) {
    List<String> sortedMembers = members.stream().distinct().sorted().toList();
    Map<String, List<String>> holders = new HashMap<>();
    if (sortedMembers.isEmpty()) {
      return holders;
    }
    int r = Math.min(replicas, sortedMembers.size());
    List<String> sortedChunks = chunks.stream().distinct().sorted().toList();
    int places = sortedChunks.size() * r;
    Map<String, Integer> room = new HashMap<>();
    List<String> byQuotaWeight = owners("quota", sortedMembers, sortedMembers.size());
    for (int i = 0; i < byQuotaWeight.size(); i++) {
      room.put(byQuotaWeight.get(i), places / sortedMembers.size() + (i < places % sortedMembers.size() ? 1 : 0));
    }
    int left = sortedChunks.size();
    for (String chunk : sortedChunks) {
      List<String> ranked = owners(chunk, sortedMembers, sortedMembers.size());
      List<String> chosen = new ArrayList<>(r);
      for (String m : ranked) {
        if (room.get(m) == left) {
          chosen.add(m);
        }
      }
      for (String m : ranked) {
        if (chosen.size() < r && room.get(m) > 0 && !chosen.contains(m)) {
          chosen.add(m);
        }
      }
      chosen.forEach(m -> room.merge(m, -1, Integer::sum));
      left--;
      holders.put(chunk, List.copyOf(chosen));
    }
    return holders;
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
