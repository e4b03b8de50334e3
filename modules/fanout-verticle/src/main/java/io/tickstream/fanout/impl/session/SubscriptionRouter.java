package io.tickstream.fanout.impl.session;

import io.tickstream.common.stream.StreamName;

/**
 * What a {@link ClientSession} needs from the routing layer of its event loop (its {@link io.tickstream.fanout.impl.loop.LoopDispatcher}): which
 * symbols exist, joining and leaving a stream's subscribers, the snapshot a new subscription starts from, and
 * being forgotten when it closes. Declared here, at the session layer, so that sessions do not depend on the
 * dispatcher that routes ticks to them.
 *
 * <p>Threading: every method runs on the loop the session belongs to.
 */
public interface SubscriptionRouter {

  /** A symbol with a latest tick on this loop: it may be subscribed. */
  boolean isKnown(String symbol);

  /** Symbols this loop keeps a slot for: what a {@code !bookTicker} snapshot walks, so what one costs. */
  int symbolCount();

  /** Adds a subscription of {@code sender}'s connection to {@code stream}'s subscribers. */
  Subscription register(ConflatingSender sender, StreamName stream);

  /** Offers a new subscription the latest tick of its symbol, or of every symbol for {@code !bookTicker}. */
  void snapshot(Subscription sub, long nowMillis);

  /** Removes a subscription from its stream's subscribers. */
  void unregister(Subscription sub);

  /** The session closed and released its subscriptions; called once per session. */
  void remove(ClientSession session);
}
