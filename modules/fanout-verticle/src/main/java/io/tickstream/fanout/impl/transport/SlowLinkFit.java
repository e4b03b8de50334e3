package io.tickstream.fanout.impl.transport;

/**
 * Sizes one slow connection's buffers to the bandwidth it has, measured, so what it cannot take yet waits in the
 * conflation (replaced by newer ticks) and not in queues that deliver it stale.
 *
 * <p>Why: the node's queue ({@code fanout.write-queue-bytes}) and the socket's unsent bytes
 * ({@code fanout.tcp-notsent-lowat}) are sized for clients that keep up: a few milliseconds of a fast link. For a
 * client on a 256 kbit/s link the same bytes are seconds; and Linux lets a socket's unsent data pass its
 * {@code TCP_NOTSENT_LOWAT} by up to one segment of the size the kernel builds (measured here: 22-56 KB past a bound of
 * 8 KB), while the congestion window puts more in flight and in the link's queue. So while a connection is behind (its
 * sender has a backlog) this measures how fast its transport drains, and once it has drained for
 * {@link #MEASURE_MILLIS} sizes the node's queue to about {@link #QUEUE_MILLIS} of that rate and the socket's send
 * buffer (in flight and unsent) to about {@link #SOCKET_MILLIS}, never below {@link #MIN_BYTES} nor above what the
 * connection had ({@link FrameSink#fitTo}). Where the kernel says how much a socket holds unsent
 * ({@link TcpUnsentBytes}: Linux, JDK 22+, a native transport), the fit also makes the transport writable only while
 * less than {@link #UNSENT_MILLIS} of the rate is queued and unsent ({@link UnsentGate}), which closes the gap the
 * segment leaves: while it has ticks pending its sender looks again when the excess should have gone at that rate
 * ({@link #recheckMillis}). Measured at 1 Mbit/s: p99 age 0.75 s without, 0.45 s with; at 256 kbit/s 2.4 s without,
 * 1.2 s with (docs/benchmarks.md). It measures again at every drain of a later backlog, so a client whose link gets
 * faster gets larger buffers back; one that keeps up for {@link #RELEASE_MILLIS} gets the defaults back.
 *
 * <p>A client that drains nothing (a stall) gives no rate and changes nothing: a stall is not a bandwidth.
 *
 * <p>Threading: the connection's event loop, like its {@link io.tickstream.fanout.impl.session.ConflatingSender}, which makes one on the connection's first
 * backlog: connections that always keep up never carry one.
 */
public final class SlowLinkFit {

  /** How long a backlog must have drained before its rate is believed. */
  static final long MEASURE_MILLIS = 1_000;
  /** How long a fitted connection must keep up before it gets the default buffers back. */
  static final long RELEASE_MILLIS = 10_000;
  /** How much of a slow client's bandwidth may wait in the node's queue (measured: 100 ms gave SockJS p99 0.9 s). */
  static final long QUEUE_MILLIS = 50;
  /** ... and in its socket (in flight and unsent; the kernel lets unsent data pass this by up to a segment). */
  static final long SOCKET_MILLIS = 100;
  /**
   * ... and in its queue and unsent in its socket together, where the kernel can say (TcpUnsentBytes): what a sender
   * then waits for.
   */
  static final long UNSENT_MILLIS = 100;
  /**
   * The smallest queue, socket buffer and unsent bound a fit sets (unless the connection had less): 2 KB gave a 256
   * kbit/s client p99 0.45 s instead of 1.2 s, but tipped 2,000 CPU-starved loopback clients into seconds of delay
   * (their fits were measured while they were starved: docs/benchmarks.md, "Slow links").
   */
  static final int MIN_BYTES = 16 * 1024;
  /**
   * How soon, at the soonest and at the latest, a sender that waits for the socket's unsent bytes looks again (no event
   * tells it): in between, when the excess should have gone at the measured rate. The latest bounds the error of an old
   * measure; the soonest, what thousands of slow clients cost (a timer and a system call per look).
   */
  static final long UNSENT_RECHECK_MILLIS = 10;
  public static final long UNSENT_RECHECK_MAX_MILLIS = 250;

  /** The sender's timer to look at the unsent bytes again; -1 when none is set. */
  public long recheckTimer = -1;

  private final FrameSink sink;
  /** What the connection had before its first fit, given back on release. */
  private final int defaultQueue;
  private final int defaultSocket;
  private long fromMillis = -1;
  private long fromBytes;
  private long keptUpSinceMillis = -1;
  private boolean fitted;
  /** The rate of the last fit, bytes per second; 0 before one. */
  private long rateBytesPerSecond;
  /** The last wait before a measure ({@link #recheckMillis}); 0 after a drain. */
  private long backoffMillis;

  public SlowLinkFit(FrameSink sink) {
    this.sink = sink;
    this.defaultQueue = sink.queueLimit();
    this.defaultSocket = sink.socketBuffer();
  }

  /** The sender fell behind: a measurement starts (and a fit made long ago is released first). */
  public void backlogStarted(long nowMillis) {
    if (fitted && keptUpSinceMillis >= 0 && nowMillis - keptUpSinceMillis >= RELEASE_MILLIS) {
      sink.fitTo(defaultQueue, defaultSocket, 0);
      fitted = false;
    }
    keptUpSinceMillis = -1;
    fromMillis = nowMillis;
    fromBytes = sink.deliveredBytes();
  }

  /** The transport drained some of a backlog: once the measurement is long enough, fit to the rate it shows. */
  public void drained(long nowMillis) {
    backoffMillis = 0;
    if (fromMillis < 0 || nowMillis - fromMillis < MEASURE_MILLIS) {
      return;
    }
    long bytes = sink.deliveredBytes() - fromBytes;
    if (bytes > 0) {
      long rate = bytes * 1000 / (nowMillis - fromMillis);
      rateBytesPerSecond = rate;
      sink.fitTo(fit(rate, QUEUE_MILLIS, defaultQueue), defaultSocket <= 0 ? 0 : fit(rate, SOCKET_MILLIS, defaultSocket),
          fit(rate, UNSENT_MILLIS, Integer.MAX_VALUE));
      fitted = true;
    }
    fromMillis = nowMillis;
    fromBytes = sink.deliveredBytes();
  }

  /**
   * When a sender whose queue and socket hold {@code excessBytes} past their limit should look again: when that should
   * have gone at the measured rate; before a measure, after 10 ms, then twice as long each time it had not.
   */
  public long recheckMillis(long excessBytes) {
    if (rateBytesPerSecond <= 0) {
      backoffMillis = backoffMillis == 0 ? UNSENT_RECHECK_MILLIS : Math.min(2 * backoffMillis, UNSENT_RECHECK_MAX_MILLIS);
      return backoffMillis;
    }
    return Math.clamp(excessBytes * 1000 / rateBytesPerSecond, UNSENT_RECHECK_MILLIS, UNSENT_RECHECK_MAX_MILLIS);
  }


  private static int fit(long bytesPerSecond, long millis, int max) {
    return (int) Math.clamp(bytesPerSecond * millis / 1000, Math.min(MIN_BYTES, max), max);
  }

  /** The backlog is gone: the client keeps up from here. */
  public void backlogEnded(long nowMillis) {
    fromMillis = -1;
    keptUpSinceMillis = nowMillis;
  }
}
