package io.tickstream.ingest.impl;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Fair shares: every ingest node holds chunks, however the hashes fall, and every node computes the same owners. */
class RendezvousHashTest {

  @Test
  void everyNodeHoldsItsFairShareWhateverTheHashesSay() {
    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      int nodes = 2 + random.nextInt(4);
      int chunkCount = 1 + random.nextInt(40);
      int replicas = 1 + random.nextInt(2);
      List<String> members = IntStream.range(0, nodes).mapToObj(i -> "node-" + random.nextLong()).toList();
      int k = Integer.highestOneBit(Math.max(1, chunkCount)) * 2;
      List<String> chunks = IntStream.range(0, chunkCount).mapToObj(i -> i + "/" + k).toList();

      Map<String, List<String>> owners = RendezvousHash.assign(chunks, members, replicas);

      int r = Math.min(replicas, nodes);
      int even = chunkCount * r / nodes;
      Map<String, Integer> load = new HashMap<>();
      for (String chunk : chunks) {
        assertThat(owners.get(chunk)).as("holders of %s", chunk).hasSize(r).doesNotHaveDuplicates();
        owners.get(chunk).forEach(m -> load.merge(m, 1, Integer::sum));
      }
      for (String m : members) {
        int held = load.getOrDefault(m, 0);
        assertThat(held).as("chunks of %s (%d chunks, %d nodes, %d replicas)", m, chunkCount, nodes, r)
            .isBetween(even, even + 1);
      }
    }
  }

  @Test
  void everyNodeComputesTheSameOwnersWhateverOrderItSeesTheMembersAndChunksIn() {
    List<String> members = new ArrayList<>(List.of("a", "b", "c", "d"));
    List<String> chunks = new ArrayList<>(IntStream.range(0, 13).mapToObj(i -> i + "/16").toList());
    Map<String, List<String>> first = RendezvousHash.assign(chunks, members, 2);
    Random random = new Random(7);
    for (int i = 0; i < 20; i++) {
      Collections.shuffle(members, random);
      Collections.shuffle(chunks, random);
      assertThat(RendezvousHash.assign(chunks, members, 2)).isEqualTo(first);
    }
  }
}
