package io.tickstream.fanout.impl;

import io.tickstream.common.config.Config;
import io.tickstream.fanout.FanoutSettings;

/** The fanout settings resolved into plain values, read on hot paths without a map lookup. */
public record FanoutConfig(String host, int port, int instances, int maxStreams, int maxMessagesPerSecond,
                           int maxFrameBytes, int maxConnections, long slowClientGraceMillis, int writeQueueBytes,
                           int sendBufferBytes, long pingIntervalMillis, long pongTimeoutMillis, long drainDelayMillis,
                           long drainWindowMillis, long maxDataAgeMillis, long partitionCheckIntervalMillis,
                           long uRebaseAfterMillis, int consumerMaxFailures,
                           boolean channelWebSockets, int maxOutboundBytes, int subscriptionsPerSecond,
                           int tcpNotSentLowAt, int sockJSStreamBytes) {

  public static FanoutConfig of(Config c) {
    int instances = c.get(FanoutSettings.INSTANCES);
    return new FanoutConfig(c.get(FanoutSettings.HOST), c.get(FanoutSettings.PORT),
        instances > 0 ? instances : Runtime.getRuntime().availableProcessors(),
        c.get(FanoutSettings.MAX_STREAMS), c.get(FanoutSettings.MAX_MESSAGES_PER_SECOND),
        c.get(FanoutSettings.MAX_FRAME_BYTES), c.get(FanoutSettings.MAX_CONNECTIONS),
        c.get(FanoutSettings.SLOW_CLIENT_GRACE).toMillis(), c.get(FanoutSettings.WRITE_QUEUE_BYTES),
        c.get(FanoutSettings.SEND_BUFFER_BYTES), Math.max(1, c.get(FanoutSettings.PING_INTERVAL).toMillis()),
        c.get(FanoutSettings.PONG_TIMEOUT).toMillis(), c.get(FanoutSettings.DRAIN_DELAY).toMillis(),
        c.get(FanoutSettings.DRAIN_WINDOW).toMillis(), c.get(FanoutSettings.MAX_DATA_AGE).toMillis(),
        Math.max(1, c.get(FanoutSettings.PARTITION_CHECK_INTERVAL).toMillis()), c.get(FanoutSettings.U_REBASE_AFTER).toMillis(),
        c.get(FanoutSettings.CONSUMER_MAX_FAILURES), channelWebSockets(c.get(FanoutSettings.WEBSOCKET_TRANSPORT)),
        maxOutboundBytes(c.get(FanoutSettings.MAX_OUTBOUND_BYTES), c.get(FanoutSettings.WRITE_QUEUE_BYTES)),
        c.get(FanoutSettings.SUBSCRIPTIONS_PER_SECOND), c.get(FanoutSettings.TCP_NOTSENT_LOWAT),
        c.get(FanoutSettings.SOCKJS_STREAM_BYTES));
  }

  /**
   * The cap must leave room above the write queue's high-water mark, where ticks stop (conflation), for the control
   * replies of a client that is momentarily behind; below twice the mark a burst of ticks plus one reply would close
   * clients that did nothing wrong.
   */
  private static int maxOutboundBytes(int max, int writeQueueBytes) {
    if (max < 2L * writeQueueBytes) {
      throw new IllegalArgumentException("fanout.max-outbound-bytes (" + max
          + ") must be at least twice fanout.write-queue-bytes (" + writeQueueBytes + ")");
    }
    return max;
  }

  private static boolean channelWebSockets(String transport) {
    return switch (transport) {
      case "channel" -> true;
      case "vertx" -> false;
      default -> throw new IllegalArgumentException(
          "fanout.websocket-transport must be channel or vertx, not '" + transport + "'");
    };
  }
}
