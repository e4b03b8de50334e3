package io.tickstream.fanout.impl.transport;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code fanout.tcp-notsent-lowat}: how much a client socket may hold that the kernel has not sent yet.
 *
 * <p>Why: a socket's send buffer autotunes up to {@code net.ipv4.tcp_wmem}'s maximum (4 MB here). For a client on a
 * slow link the node would keep writing into it until it was full, and every tick in it would reach the client that
 * many seconds late, with no way to replace it by a newer one. With {@code TCP_NOTSENT_LOWAT} the kernel accepts
 * writes (and reports the socket writable) only while less than this much is unsent, so what a slow client cannot take
 * yet stays in the node's own queue and, past {@code fanout.write-queue-bytes}, in its conflation: the newest tick per
 * symbol. Data in flight (sent, not yet acknowledged) is the congestion window's, not bounded here.
 *
 * <p>On a WebSocket the node can read the kernel's count of unsent bytes for, its sink takes the bound over
 * ({@link UnsentGate}, which says why) and {@link #clear}s the option; SockJS's HTTP transports keep it.
 *
 * <p>Native transports only (epoll, io_uring): the JDK's NIO has no such option. On NIO the node logs it once at the
 * first connection; {@code fanout.send-buffer-bytes} (a fixed {@code SO_SNDBUF}) is the cruder bound there.
 *
 * <p>Threading: {@link #apply} runs on the connection's event loop, once per accepted connection (one setsockopt).
 */
public final class UnsentBytesBound {

  private static final Logger log = LoggerFactory.getLogger(UnsentBytesBound.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private UnsentBytesBound() {
  }

  /** Takes the bound off {@code channel}'s socket again (0: the system's default); a no-op where it was not set. */
  static void clear(Channel channel) {
    if (!channel.config().setOption(EpollChannelOption.TCP_NOTSENT_LOWAT, 0L)) {
      channel.config().setOption(IoUringChannelOption.TCP_NOTSENT_LOWAT, 0L);
    }
  }

  /** Sets the bound on {@code channel}'s socket; {@code bytes <= 0} leaves the operating system's default. */
  public static void apply(Channel channel, long bytes) {
    if (bytes <= 0) {
      return;
    }
    boolean set = channel.config().setOption(EpollChannelOption.TCP_NOTSENT_LOWAT, bytes)
        || channel.config().setOption(IoUringChannelOption.TCP_NOTSENT_LOWAT, bytes);
    if (!set && WARNED.compareAndSet(false, true)) {
      log.warn("fanout.tcp-notsent-lowat has no effect on the {} transport: a slow client's ticks may wait in its "
          + "socket's send buffer, seconds stale; use fanout.transport=epoll, or bound it with fanout.send-buffer-bytes",
          channel.getClass().getSimpleName());
    }
  }
}
