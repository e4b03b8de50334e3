package io.tickstream.simulator.impl;

import io.tickstream.simulator.SimulatorFaults;
import io.vertx.core.Future;

import java.time.Duration;

/** {@link SimulatorFaults} by hand-off to the simulator's context. Thread-safe. */
public final class SimulatorFaultsImpl implements SimulatorFaults {

  private final SimulatorVerticle sim;

  public SimulatorFaultsImpl(SimulatorVerticle sim) {
    this.sim = sim;
  }

  @Override
  public Future<Integer> dropConnections() {
    return sim.onContext(sim::dropConnections);
  }

  @Override
  public Future<Integer> stallConnections() {
    return sim.onContext(() -> sim.stallConnections(true));
  }

  @Override
  public Future<Integer> resumeConnections() {
    return sim.onContext(() -> sim.stallConnections(false));
  }

  @Override
  public Future<Integer> sendMalformedFrames(int count, MalformedFrame kind) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    return sim.onContext(() -> sim.sendMalformedFrames(count, kind));
  }

  @Override
  public Future<Void> refuseConnections(boolean refuse) {
    return sim.onContext(() -> {
      sim.refuseConnections(refuse);
      return null;
    });
  }

  @Override
  public Future<Void> maxLifetime(Duration lifetime) {
    return sim.onContext(() -> {
      sim.maxLifetime(lifetime);
      return null;
    });
  }
}
