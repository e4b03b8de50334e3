/**
 * Who may connect to a fanout node's client port: the Origin allowlist ({@link io.tickstream.fanout.impl.access.OriginPolicy})
 * and the optional client keys, API keys or JWTs ({@link io.tickstream.fanout.impl.access.ClientAccess}), with per-key
 * connection limits, symbol entitlements and revocation that closes live connections.
 * Called by the server (admission) and the session (a connection holds its {@link io.tickstream.fanout.impl.access.Lease}); imports no other stage.
 */
package io.tickstream.fanout.impl.access;
