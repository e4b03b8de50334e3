package io.tickstream.fanout.impl.access;

import io.tickstream.common.stream.StreamName;

import java.util.Set;

/**
 * What one client key may do: its id (the per-key connection limit and revocation are counted by it), how many
 * connections it may hold on this node, and which symbols it may stream.
 *
 * <p>{@code !bookTicker} carries every symbol, so only a key entitled to all symbols may stream it.
 *
 * @param keyId the key's id: {@code id} in the keys file, {@code sub} of a JWT
 * @param credentialId what revocation matches besides the id: the SHA-256 of an API key, the {@code jti} of a JWT
 *     (null if it has none)
 * @param maxConnections connections this key may hold on this node at once; 0: no limit but the node's
 * @param symbols upper-case symbols the key may stream; ignored when {@code allSymbols}
 * @param allSymbols entitled to every symbol (and so to {@code !bookTicker})
 * @param expiresAtMillis when the key stops being valid (a JWT's {@code exp}), epoch millis; 0: never
 */
public record Grant(String keyId, String credentialId, int maxConnections, Set<String> symbols, boolean allSymbols,
                    long expiresAtMillis) {

  /** No keys required: everything public. */
  public static final Grant PUBLIC = new Grant("", null, 0, Set.of(), true, 0);

  public Grant {
    symbols = Set.copyOf(symbols);
  }

  /** Does this grant permit everything {@code other} does? False if a key went from {@code other} to this one narrower. */
  public boolean covers(Grant other) {
    return allSymbols || (!other.allSymbols && symbols.containsAll(other.symbols));
  }

  /** May this key stream {@code stream}? */
  public boolean permits(StreamName stream) {
    return allSymbols || (!stream.isAllSymbols() && symbols.contains(stream.symbol()));
  }
}
