package io.tickstream.local;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Starts {@code ./tickstream local --exchange=simulator} in-process on free ports, each stack its own cluster. */
final class TestStacks {

  private TestStacks() {
  }

  /**
   * @param name    names the stack's Hazelcast cluster, so stacks of different test classes never join each other
   * @param symbols the simulator's universe
   * @param rate    simulator ticks per second, all symbols together
   * @param out     where the start-up banner goes
   */
  static LocalStack startSimulated(String name, List<String> symbols, long rate, PrintWriter out) throws Exception {
    int clusterPort = ThreadLocalRandom.current().nextInt(40_000, 60_000);
    return LocalStackMain.start(new String[]{"--exchange=simulator", "--kafka-port=0", "--fanout.port=0",
        "--fanout.instances=1", "--fanout.admin-port=0", "--ingest.admin-port=0", "--simulator.port=0",
        "--simulator.symbols=" + String.join(",", symbols), "--simulator.tick-rate=" + rate,
        "--fanout.drain-window=100ms", "--cluster.port=" + clusterPort, "--cluster.members=127.0.0.1:" + clusterPort,
        "--cluster.name=" + name + "-" + clusterPort}, Map.of(), out).orElseThrow();
  }
}
