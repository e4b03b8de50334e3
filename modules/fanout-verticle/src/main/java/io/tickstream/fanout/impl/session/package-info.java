/**
 * One client's connection: its control protocol and subscriptions ({@link io.tickstream.fanout.impl.session.ClientSession}), its conflating send state ({@link io.tickstream.fanout.impl.session.ConflatingSender}) and what the senders of one loop share ({@link io.tickstream.fanout.impl.session.SendLoop}).
 * Called by the loop and the server; sees routing only as the {@link io.tickstream.fanout.impl.session.SubscriptionRouter} it owns, writes to transport sinks and hears from them as their {@link io.tickstream.fanout.impl.transport.Inbound}.
 */
package io.tickstream.fanout.impl.session;
