package io.tickstream.simulator.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Symbol -> connections subscribed to its stream. A list exists as soon as anyone subscribes, even to a
 * symbol the exchange does not list (Binance accepts such subscriptions and sends nothing), so a symbol
 * listed later through {@code /sim/symbols} starts ticking into subscriptions made before it existed.
 *
 * <p><b>Threading:</b> confined to the simulator's context; not thread-safe.
 */
final class SubscriberRegistry {

  private final Map<String, List<StreamConnection>> bySymbol = new HashMap<>();

  /** The live list for {@code symbol} (upper case), created empty if needed. */
  List<StreamConnection> forSymbol(String symbol) {
    return bySymbol.computeIfAbsent(symbol, s -> new ArrayList<>(2));
  }
}
