package io.tickstream.simulator.impl;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;

/**
 * Emits book-ticker updates at a configurable total rate across the TRADING symbols.
 *
 * <p>Each {@link #onTimer} emits {@code rate x elapsed} ticks, carrying the fraction to the next firing so
 * that 1 tick/s and 100,000 ticks/s are both exact on average; after a pause (GC, a busy machine) the burst
 * is capped at {@link #maxCatchUpNanos} rather than replaying everything missed. Which symbol ticks next is
 * drawn from a scheduler random stream (Zipf by rank); what the tick contains comes from the symbol's own
 * stream, so the n-th tick of a symbol does not depend on the schedule. Every TRADING symbol advances
 * whether or not anyone listens, so a subscriber always sees {@code u} step by exactly 1. A tick is
 * turned into text only when someone subscribes to its symbol, once per framing.
 *
 * <p><b>Threading:</b> confined to the simulator's context.
 */
final class TickGenerator implements StreamHub.Frames {

  private final SymbolUniverse universe;
  private final StreamHub hub;
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  private final long maxCatchUpNanos;
  private long schedulerRng;
  private long ticksPerSecond;
  private long lastNanos;
  private double carry;
  private long generated;
  private boolean paused;

  private SymbolState current;
  private BookTicker currentTick;

  TickGenerator(SymbolUniverse universe, StreamHub hub, long seed, long ticksPerSecond, long intervalNanos) {
    this.universe = universe;
    this.hub = hub;
    this.schedulerRng = SplitMix.derive(seed, "scheduler");
    this.ticksPerSecond = ticksPerSecond;
    this.maxCatchUpNanos = Math.max(100_000_000L, 3 * intervalNanos);
    this.lastNanos = System.nanoTime();
  }

  void ticksPerSecond(long rate) {
    onTimer(System.nanoTime());
    ticksPerSecond = rate;
    carry = 0;
  }

  long ticksPerSecond() {
    return ticksPerSecond;
  }

  long generated() {
    return generated;
  }

  /** Stops generating (replay mode takes over the streams). */
  void pause() {
    paused = true;
  }

  void onTimer(long now) {
    long elapsed = Math.min(now - lastNanos, maxCatchUpNanos);
    lastNanos = now;
    if (paused || universe.tradingCount() == 0) {
      carry = 0;
      return;
    }
    double due = ticksPerSecond * (elapsed / 1e9) + carry;
    long n = (long) due;
    carry = due - n;
    for (long i = 0; i < n; i++) {
      schedulerRng = SplitMix.advance(schedulerRng);
      SymbolState s = universe.pick(SplitMix.unit(SplitMix.mix(schedulerRng)));
      s.advance();
      if (!s.subscribers.isEmpty()) {
        current = s;
        currentTick = null;
        hub.publish(s.subscribers, this);
      }
    }
    generated += n;
    current = null;
    currentTick = null;
    hub.flushAll();
  }

  private BookTicker tick() {
    return currentTick == null ? (currentTick = current.toTick()) : currentTick;
  }

  @Override
  public byte[] raw() {
    return encoder.binancePayload(tick());
  }

  @Override
  public byte[] combined() {
    return encoder.binanceCombined(tick(), current.streamName);
  }
}
