package io.tickstream.ingest.impl;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Chunks are named and filled alike on every node, and a new listing disturbs nothing but its own chunk. */
class ChunkLayoutTest {

  private static List<String> streams(int n) {
    return IntStream.range(0, n).mapToObj(i -> "sym" + i + "usdt@bookTicker").toList();
  }

  @Test
  void everyStreamIsInExactlyOneChunkOfAtMostTheChunkSize() {
    ChunkLayout layout = ChunkLayout.of(streams(1500), 1024);
    assertThat(layout.slots()).isEqualTo(2);
    assertThat(layout.streamCount()).isEqualTo(1500);
    assertThat(layout.chunks().values()).allSatisfy(c -> assertThat(c).hasSizeLessThanOrEqualTo(1024));
    assertThat(layout.chunks().values().stream().flatMap(List::stream)).doesNotHaveDuplicates();
  }

  @Test
  void theLayoutDependsOnTheSymbolsNotOnTheirOrder() {
    List<String> shuffled = new ArrayList<>(streams(300));
    java.util.Collections.shuffle(shuffled, new java.util.Random(7));
    assertThat(ChunkLayout.of(shuffled, 50).chunks()).isEqualTo(ChunkLayout.of(streams(300), 50).chunks());
  }

  @Test
  void aNewListingJoinsOneChunkAndMovesNoOtherStream() {
    ChunkLayout before = ChunkLayout.of(streams(300), 100);
    List<String> more = new ArrayList<>(streams(300));
    more.add("newcoinusdt@bookTicker");
    ChunkLayout after = ChunkLayout.of(more, 100);
    assertThat(after.slots()).isEqualTo(before.slots());
    Map<String, String> chunkOf = new HashMap<>();
    before.chunks().forEach((k, v) -> v.forEach(s -> chunkOf.put(s, k)));
    after.chunks().forEach((k, v) -> v.stream().filter(chunkOf::containsKey)
        .forEach(s -> assertThat(k).as("chunk of %s", s).isEqualTo(chunkOf.get(s))));
  }

  @Test
  void rendezvousOwnersAreFairAndAJoiningMemberOnlyTakesChunks() {
    List<String> chunks = IntStream.range(0, 64).mapToObj(i -> i + "/64").toList();
    List<String> two = List.of("node-a", "node-b");
    List<String> three = List.of("node-a", "node-b", "node-c");
    Map<String, Integer> share = new HashMap<>();
    for (String chunk : chunks) {
      String before = RendezvousHash.owners(chunk, two, 1).get(0);
      String after = RendezvousHash.owners(chunk, three, 1).get(0);
      assertThat(after).as("chunk %s moves only to the new member", chunk).isIn(before, "node-c");
      share.merge(after, 1, Integer::sum);
      assertThat(RendezvousHash.owners(chunk, three, 2)).hasSize(2).doesNotHaveDuplicates().startsWith(after);
    }
    assertThat(share.values()).allSatisfy(n -> assertThat(n).isBetween(10, 34));
  }
}
