package io.tickstream.fanout.impl.access;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The API keys file ({@code fanout.auth.keys-file}): the node stores no key, only its SHA-256, so the file (and a
 * heap dump) gives nobody a key that works.
 *
 * <pre>{@code
 * {"keys": [
 *   {"id": "acme-prod", "sha256": "<64 hex digits>", "maxConnections": 50, "symbols": ["BTCUSDT", "ETHUSDT"]},
 *   {"id": "internal", "sha256": "<64 hex digits>", "symbols": ["*"]}
 * ]}
 * }</pre>
 * {@code id} (required) names the key in logs and counts its connections; {@code maxConnections} (0 or absent: only
 * the node's limit) is per node; {@code symbols} lists what it may stream, {@code "*"} (or absent) for every symbol
 * and {@code !bookTicker}. Several entries may share an id (a key being rotated): they share its limit.
 */
final class KeyFile {

  private KeyFile() {
  }

  /** {@code sha256 hex -> grant}; a malformed file fails with a message saying where. */
  static Map<String, Grant> parse(Buffer content) {
    JsonObject root;
    try {
      root = new JsonObject(content);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("keys file is not a JSON object: " + e.getMessage());
    }
    JsonArray keys = root.getJsonArray("keys");
    if (keys == null) {
      throw new IllegalArgumentException("keys file has no \"keys\" array");
    }
    Map<String, Grant> byHash = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      JsonObject k = keys.getJsonObject(i);
      String id = k.getString("id");
      String hash = k.getString("sha256");
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("keys[" + i + "] has no id");
      }
      if (hash == null || !hash.matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException("keys[" + i + "] (" + id + ") has no sha256 of 64 hex digits");
      }
      int max = k.getInteger("maxConnections", 0);
      if (max < 0) {
        throw new IllegalArgumentException("keys[" + i + "] (" + id + ") has a negative maxConnections");
      }
      hash = hash.toLowerCase(Locale.ROOT);
      byHash.put(hash, grant(id, hash, max, k.getValue("symbols"), 0));
    }
    return Map.copyOf(byHash);
  }

  /** A grant from a {@code symbols} value: absent, {@code "*"}, or an array of symbols (which may hold {@code "*"}). */
  static Grant grant(String id, String credentialId, int maxConnections, Object symbols, long expiresAtMillis) {
    Set<String> set = new HashSet<>();
    boolean all = symbols == null;
    if (symbols instanceof String s) {
      all |= s.trim().equals("*");
      if (!all) {
        set.add(s.trim().toUpperCase(Locale.ROOT));
      }
    } else if (symbols instanceof JsonArray a) {
      for (Object o : a) {
        String s = String.valueOf(o).trim();
        if (s.equals("*")) {
          all = true;
        } else {
          set.add(s.toUpperCase(Locale.ROOT));
        }
      }
    } else if (symbols != null) {
      throw new IllegalArgumentException("symbols of " + id + " must be an array of symbols or \"*\"");
    }
    return new Grant(id, credentialId, maxConnections, set, all, expiresAtMillis);
  }

  /** The lower-case hex SHA-256 of a key as presented, the form the file stores. */
  static String sha256(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
