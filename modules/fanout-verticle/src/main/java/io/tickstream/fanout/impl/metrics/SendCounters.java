package io.tickstream.fanout.impl.metrics;

/**
 * What the senders of one event loop count: frames written, ticks replaced while pending, ticks pending now, slow
 * clients cut. Plain fields, written only by that loop's {@link io.tickstream.fanout.impl.session.ConflatingSender}s, read racily by the metrics at
 * scrape time: the hot path pays no atomic operation per frame, and a scrape may read a value a few increments old.
 */
public final class SendCounters {

  /** Tick frames written to transports. */
  public long framesOut;
  /** Pending ticks replaced by a newer one before they could be written. */
  public long conflatedDrops;
  /** Ticks pending for slow or throttled subscriptions now (a gauge). */
  public long pendingTicks;
  /** Connections closed with 1013 after the grace period. */
  public long slowClientCloses;
  /** Connections the node closed, by {@link ClientClose#ordinal()}. */
  public final long[] clientCloses = new long[ClientClose.ALL.length];
  /**
   * The most bytes one connection of this loop held queued in the node, measured at each control frame written
   * (replies, notices, pings, pongs) and at each refused one; never above {@code fanout.max-outbound-bytes}.
   */
  public long outboundPeakBytes;
  /**
   * {@code ft → flush}, this loop's share (see {@link FtToFlushHistogram}): written by the loop's flush pass only,
   * read racily at scrape time.
   */
  public final long[] ftToFlushBuckets = new long[FtToFlushHistogram.BUCKETS];
  /** The sum of those samples, µs; added after the buckets. */
  public long ftToFlushSumMicros;
}
