package io.tickstream.fanout;

/**
 * Names of the fanout's meters, as registered with Micrometer. Prometheus shows them with dots as
 * underscores and unit suffixes: {@code tickstream.fanout.frames.out} is scraped as
 * {@code tickstream_fanout_frames_out_total}, the latency timer as {@code tickstream_fanout_latency_seconds_*}.
 */
public final class FanoutMetrics {

  /** Gauge: open client connections (WebSocket and SockJS). */
  public static final String CONNECTIONS = "tickstream.fanout.connections";
  /** Gauge: stream subscriptions over all connections. */
  public static final String SUBSCRIPTIONS = "tickstream.fanout.subscriptions";
  /** Counter: Kafka records accepted (decoded, newer than the symbol's last tick). */
  public static final String TICKS_IN = "tickstream.fanout.ticks.in";
  /** Counter: Kafka records dropped because their {@code u} was not above the symbol's last accepted one. */
  public static final String STALE_DROPS = "tickstream.fanout.stale.drops";
  /**
   * Counter: Kafka tombstones (null value) read, the ingest's mark of a symbol no longer TRADING; each one drops the
   * symbol from the snapshot. Never counted as malformed.
   */
  public static final String TOMBSTONES = "tickstream.fanout.tombstones";
  /** Counter: Kafka records that did not decode as book tickers. */
  public static final String MALFORMED = "tickstream.fanout.malformed.records";
  /** Counter: tick frames written to clients. */
  public static final String FRAMES_OUT = "tickstream.fanout.frames.out";
  /** Counter: pending ticks replaced by a newer one of the same symbol before they could be sent. */
  public static final String CONFLATED_DROPS = "tickstream.fanout.conflated.drops";
  /** Gauge: ticks waiting per symbol for slow or throttled connections (bounded by their subscriptions). */
  public static final String PENDING = "tickstream.fanout.pending.ticks";
  /** Counter: connections closed with 1013 because they stayed unwritable past the grace period. */
  public static final String SLOW_CLIENT_CLOSES = "tickstream.fanout.slow.client.closes";
  /**
   * Counter, tag {@code reason}: connections the node closed because of what the client did or did not do, scraped
   * as {@code tickstream_fanout_client_closes_total{reason="..."}}. Reasons: {@code rate-limit} (1008, over
   * {@code fanout.max-messages-per-second}, pings and pongs included), {@code outbound-cap} (1008, a reply or pong
   * would pass {@code fanout.max-outbound-bytes}), {@code too-big} (1009, a message over {@code fanout.max-frame-bytes},
   * in one frame or in fragments), {@code pong-timeout} (1008, no echo of our ping within {@code fanout.pong-timeout}),
   * {@code slow-client} (1013, the same closes as {@link #SLOW_CLIENT_CLOSES}), {@code binary} (1003),
   * {@code protocol-error} (1002 or 1007, a frame the WebSocket decoder refused).
   */
  public static final String CLIENT_CLOSES = "tickstream.fanout.client.closes";
  /** The tag of {@link #CLIENT_CLOSES}. */
  public static final String CLIENT_CLOSE_REASON = "reason";
  /**
   * Gauge, bytes: the most one WebSocket connection has held queued in this node since it started (ticks, replies,
   * pings, pongs), measured at each control frame; never above {@code fanout.max-outbound-bytes}. How close clients
   * come to the cap.
   */
  public static final String OUTBOUND_PEAK = "tickstream.fanout.outbound.peak.bytes";
  /** Timer with percentile histogram: {@code now - pt} when a tick is written to clients. */
  public static final String LATENCY = "tickstream.fanout.latency";
  /**
   * Timer with percentile histogram: Kafka's append time (the record timestamp, ms) to {@code ft}, once per record
   * accepted. Recorded only for records of a topic with {@code message.timestamp.type=LogAppendTime}; with the
   * default CreateTime the record timestamp is the producer's {@code pt} and says nothing about the append.
   */
  public static final String APPEND_TO_FT = "tickstream.fanout.append.to.ft";
  /** Counter: records whose append time was after {@code ft} (broker clock ahead of this host's), recorded as 0. */
  public static final String APPEND_AFTER_FT = "tickstream.fanout.append.after.ft";
  /**
   * Histogram, power-of-two buckets in µs: per connection flush, the oldest {@code ft} among the live ticks written
   * since the previous flush to the end of the event loop's flush pass (bytes handed to the socket). One sample per
   * flush, not per tick. Not a Micrometer meter on a Prometheus registry: each event loop counts in its own arrays,
   * summed at scrape time into {@code tickstream_fanout_ft_to_flush_seconds}; other registries get a function timer
   * (count and sum) of this name.
   */
  public static final String FT_TO_FLUSH = "tickstream.fanout.ft.to.flush";

  /** Gauge, seconds: now minus the newest {@code pt} the node has accepted; NaN before the first tick. */
  public static final String DATA_AGE = "tickstream.fanout.data.age";
  /** Counter: restarts of the Kafka consumer after it failed. */
  public static final String CONSUMER_RESTARTS = "tickstream.fanout.consumer.restarts";
  /** Gauge: partitions the consumer reads (grows when partitions are added to the topic). */
  public static final String PARTITIONS = "tickstream.fanout.partitions";
  /** Counter: ticks received on the express lane ({@code fanout.express}). */
  public static final String EXPRESS_TICKS = "tickstream.fanout.express.ticks";
  /**
   * Counter: tick copies a loop dropped because it had already delivered that symbol's {@code u} or a higher one
   * (with the express lane on: the later of the Kafka and the express copy), counted once per event loop.
   */
  public static final String LATE_COPIES = "tickstream.fanout.late.copies";
  /** Counter: symbols re-based onto a lower {@code u} that stayed below the last accepted one past the bound. */
  public static final String U_REBASES = "tickstream.fanout.u.rebases";

  /**
   * Counter: connections asked to reconnect elsewhere because this node was well above the cluster's mean
   * (serverShutdown, then 1012; see {@code fanout.rebalance.*}).
   */
  public static final String REBALANCED = "tickstream.fanout.rebalanced";

  /**
   * Counter, tag {@code reason}: connections refused by admission control before the upgrade ({@code per-ip}: HTTP 429 at
   * {@code fanout.connections-per-ip}; {@code per-network}: at {@code fanout.connections-per-network}; {@code http-per-ip}:
   * at {@code fanout.http-connections-per-ip}), or closed before they upgraded ({@code handshake-timeout},
   * {@code idle-timeout}).
   */
  public static final String ADMISSION_REFUSED = "tickstream.fanout.admission.refused";
  /**
   * Gauge, tag {@code level} ({@code address}, {@code network}, {@code wide}): {@code fanout.connections-per-ip} windows
   * this node keeps, per client address (IPv4, IPv6 /64), and per network for addresses past a full table.
   */
  public static final String ADMISSION_TRACKED = "tickstream.fanout.admission.tracked";
  /**
   * Counter, tag {@code level} ({@code network}, {@code wide}): sessions counted in their network's window because the
   * table of addresses ({@code fanout.connections-per-ip-max-addresses}) was full, or that of networks too.
   */
  public static final String ADMISSION_COARSE = "tickstream.fanout.admission.coarse";
  /** Counter: X-Forwarded-For entries from a trusted proxy that are not an IP address (the proxy's own address is used). */
  public static final String ADMISSION_BAD_FORWARDED = "tickstream.fanout.admission.bad.forwarded";

  /**
   * Counter with tag {@code result}: reloads of the client port's TLS certificate and key, {@code ok} when a changed pair
   * was put in service, {@code failed} when a changed pair was unreadable, invalid or did not match (the old pair stays).
   */
  public static final String TLS_RELOADS = "tickstream.fanout.tls.reloads";
  /** Gauge: the certificate in service expires at this time, in seconds since the epoch (alert on it minus now). */
  public static final String TLS_CERT_EXPIRY = "tickstream.fanout.tls.certificate.expiry";

  /**
   * Counter: upgrades and SockJS requests refused before the upgrade, by {@code reason}: {@code origin} (403, not in
   * fanout.allowed-origins), {@code no-key} and {@code bad-key} (401), {@code key-limit} (429), {@code not-entitled} (403).
   */
  public static final String ACCESS_REFUSED = "tickstream.fanout.access.refused";
  /** Counter: re-reads of fanout.auth.keys-file or fanout.auth.revoked-file that failed; the previous contents stay. */
  public static final String ACCESS_RELOAD_FAILURES = "tickstream.fanout.access.reload.failures";

  private FanoutMetrics() {
  }
}
