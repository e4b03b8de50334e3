package io.tickstream.fanout.impl.access;

import io.vertx.core.Context;

/**
 * One connection's hold on a key: counted against the key's {@code maxConnections} from the upgrade until
 * {@link #release()}, and the way revocation (or the key's expiry) reaches the connection, which the lease closes on
 * the connection's own event loop.
 *
 * <p>Threading: {@link #attach} and {@link #release} run on the connection's loop; {@link #revoke} and
 * {@link #grant(Grant)} on the loop that reloads the key files; the small state they share is guarded by {@code this}.
 */
public final class Lease {

  /** The lease of every connection when no keys are required: counts nothing, is never revoked. */
  public static final Lease PUBLIC = new Lease(Grant.PUBLIC, null);

  private final KeyLeases owner;
  private volatile Grant grant;
  private Context context;
  private Runnable closer;
  private Runnable regranted;
  private boolean revoked;
  private boolean released;
  private long expiryTimer = -1;

  Lease(Grant grant, KeyLeases owner) {
    this.grant = grant;
    this.owner = owner;
  }

  /** What the connection may stream; a reload of the keys file may replace it (same key, new entitlements). */
  public Grant grant() {
    return grant;
  }

  /** A reload changed the key's grant: from now on it is {@code g}; the connection re-checks its streams on its loop. */
  void grant(Grant g) {
    this.grant = g;
    Context c;
    Runnable r;
    synchronized (this) {
      c = revoked || released ? null : context;
      r = regranted;
    }
    if (c != null) {
      c.runOnContext(v -> r.run());
    }
  }

  /**
   * Binds the lease to its connection: {@code closer} closes it (with 1008) and runs on {@code context}, the
   * connection's loop, when the key is revoked or, for a key that expires, at its expiry; {@code regranted} runs there
   * when a reload changed the key's grant (the connection drops the streams it may no longer have).
   */
  public void attach(Context context, Runnable closer, Runnable regranted) {
    if (owner == null) {
      return;
    }
    boolean revokedAlready;
    synchronized (this) {
      this.context = context;
      this.closer = closer;
      this.regranted = regranted;
      revokedAlready = revoked;
    }
    if (revokedAlready) {
      context.runOnContext(v -> closer.run());
      return;
    }
    long expires = grant.expiresAtMillis();
    if (expires > 0) {
      long delay = Math.max(1, expires - System.currentTimeMillis());
      // Onto the connection's loop whichever context the timer fires on.
      long id = context.owner().setTimer(delay, t -> context.runOnContext(v -> closer.run()));
      synchronized (this) {
        expiryTimer = id;
      }
    }
  }

  /** The key was revoked: close the connection (on its loop) if it is attached, else as soon as it attaches. */
  void revoke() {
    Context c;
    Runnable r;
    synchronized (this) {
      if (revoked || released) {
        return;
      }
      revoked = true;
      c = context;
      r = closer;
    }
    if (c != null) {
      c.runOnContext(v -> r.run());
    }
  }

  /** The connection is gone (or never opened): frees its slot of the key's limit. Idempotent. */
  public void release() {
    if (owner == null) {
      return;
    }
    long timer;
    Context c;
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
      timer = expiryTimer;
      c = context;
    }
    if (timer >= 0 && c != null) {
      c.owner().cancelTimer(timer);
    }
    owner.release(this);
  }
}
