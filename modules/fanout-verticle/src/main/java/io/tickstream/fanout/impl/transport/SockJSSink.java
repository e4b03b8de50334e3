package io.tickstream.fanout.impl.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.tickstream.fanout.impl.metrics.SendCounters;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.concurrent.Executor;

/**
 * A SockJS session. SockJS frames messages itself ({@code a["..."]}) and flushes per write, so
 * {@link #flush()} has nothing to do; it is the compatibility path, not the fast one.
 *
 * <p><b>Outbound bytes.</b> SockJS's own {@code writeQueueFull()} only counts what waits in the session for a transport
 * to take it; once a streaming transport (websocket, xhr-streaming) has it, it waits in that connection's queues, which
 * SockJS does not bound, for a client that does not read. So this sink counts itself what it handed to SockJS and is
 * not written to the socket yet (each write's future completes once Netty wrote it), plus Netty's 96-byte entry
 * overhead per message ({@link OutboundBudget#ENTRY_OVERHEAD}): above {@code fanout.write-queue-bytes} it reports itself
 * unwritable (ticks are conflated), and a control reply that would pass {@code fanout.max-outbound-bytes} is refused,
 * which closes the session with 1008. The price: one completion listener per message written, acceptable on this path.
 *
 * <p>Threading: called on the dispatcher's loop; write completions may run on the transport's loop and are brought
 * back to the dispatcher's through {@code onLoop}.
 */
public final class SockJSSink implements FrameSink {

  private final SockJSSocket socket;
  /** {@code fanout.write-queue-bytes}, or what {@link SlowLinkFit} fitted to a slow client's bandwidth. */
  private int writeQueueBytes;
  /** Tick bytes handed to SockJS so far, with the per-message overhead: what {@link #deliveredBytes} counts from. */
  private long writtenBytes;
  private final int maxOutboundBytes;
  private final SendCounters counters;
  private final Executor onLoop;
  private final Runnable onDrain;
  /** Bytes handed to SockJS whose write has not completed, with the per-message overhead; dispatcher loop only. */
  private long held;
  /** {@link #held} passed the write queue: report the drain once it falls to half of it, as Netty's water marks do. */
  private boolean full;
  /** A slow client's bound on its queued and unsent bytes, on the websocket transports; none for one that keeps up. */
  private final UnsentGate unsent = new UnsentGate();
  /**
   * The channel whose unsent bytes the gate bounds: the websocket transport's, or the HTTP streaming transports'
   * current one ({@link #streamOn}); null on the polling transports.
   */
  private Channel unsentChannel;
  /** The HTTP streaming transports' current connection; null on the others. */
  private Channel stream;
  /** The unsent bound of the last fit, kept for the next streaming connection; 0 before a fit or after a release. */
  private int fittedUnsent;
  /** The send buffer of the last fit, kept for the next streaming connection; 0 before a fit or after a release. */
  private int fittedSocket;
  /** The websocket transport's guard context, or null on the other transports. */
  private ChannelHandlerContext webSocket;
  private OutboundBudget pongBudget;

  public SockJSSink(SockJSSocket socket, int writeQueueBytes, int maxOutboundBytes, SendCounters counters, Executor onLoop,
             Runnable onDrain) {
    this.socket = socket;
    this.writeQueueBytes = writeQueueBytes;
    this.maxOutboundBytes = maxOutboundBytes;
    this.counters = counters;
    this.onLoop = onLoop;
    this.onDrain = onDrain;
  }

  @Override
  public boolean writable() {
    return queueWritable() && (unsent.open() || unsent.openAsking(unsentChannel, held)) && streaming();
  }

  /**
   * False between two requests of an HTTP streaming transport (the last one's connection closed, the next not here
   * yet): what would be written then waits in SockJS until the next request, as old as the gap is long, so the ticks
   * wait in the conflation instead and the newest go when the next request comes ({@link #streamOn}).
   */
  private boolean streaming() {
    return stream == null || stream.isActive();
  }

  private boolean queueWritable() {
    return held < writeQueueBytes && !socket.writeQueueFull();
  }

  @Override
  public long unsentExcess() {
    if (!unsent.limited() || !queueWritable() || !streaming()) {
      return -1;
    }
    return unsent.excess(unsentChannel, held);
  }

  @Override
  public void write(Frame frame) {
    writtenBytes += frame.length() + OutboundBudget.ENTRY_OVERHEAD;
    track(frame.length(), socket.write(frame.text()));
  }

  @Override
  public long deliveredBytes() {
    return writtenBytes - held;
  }

  @Override
  public int queueLimit() {
    return writeQueueBytes;
  }

  /**
   * The socket buffer of the websocket transport's connection or of the streaming transports' current one; 0 on the
   * polling transports, whose requests' connections the node does not follow.
   */
  @Override
  public int socketBuffer() {
    Channel channel = webSocket != null ? webSocket.channel() : stream;
    if (channel == null) {
      return 0;
    }
    Integer size = channel.config().getOption(ChannelOption.SO_SNDBUF);
    return size == null ? 0 : size;
  }

  /**
   * The queue, the unsent bytes and the socket buffer, on the websocket transport's connection and on the streaming
   * transports' current one ({@link #streamOn}), whose next connections get the same fit until it is released. Why the
   * send buffer on the streaming transports too: it bounds what TCP puts in flight, so a slow link's own queue stays
   * short; without it each new connection's slow start filled that queue, and each response's end then waited for it to
   * drain (xhr-streaming at 1 Mbit/s: p99 0.75-0.9 s; docs/benchmarks.md, "Slow links").
   */
  @Override
  public void fitTo(int queueBytes, int socketBytes, int unsentBytes) {
    Channel channel = webSocket != null ? webSocket.channel() : stream;
    if (socketBytes > 0 && channel != null) {
      channel.config().setOption(ChannelOption.SO_SNDBUF, socketBytes);
    }
    // A release (no unsent bound) gives the next streaming connections the OS's own buffer back.
    fittedSocket = unsentBytes > 0 ? socketBytes : 0;
    fittedUnsent = unsentBytes;
    if (unsentChannel != null) {
      unsent.limit(unsentBytes);
    }
    writeQueueBytes = queueBytes;
    if (held >= queueBytes) {
      // Not writable under the new limit: the drain must be reported when it falls to half of it.
      full = true;
    }
  }

  @Override
  public void flush() {
  }

  @Override
  public boolean writeText(String json) {
    Buffer b = Buffer.buffer(json);
    long after = held + b.length() + OutboundBudget.ENTRY_OVERHEAD;
    if (after > maxOutboundBytes) {
      return false;
    }
    track(b.length(), socket.write(b));
    return true;
  }

  private void track(int bytes, Future<Void> written) {
    long size = bytes + OutboundBudget.ENTRY_OVERHEAD;
    held += size;
    unsent.wrote(size);
    if (held > counters.outboundPeakBytes) {
      counters.outboundPeakBytes = held;
    }
    if (held >= writeQueueBytes) {
      full = true;
    }
    written.onComplete(ar -> onLoop.execute(() -> released(size)));
  }

  private void released(long size) {
    held -= size;
    if (full && held <= writeQueueBytes / 2) {
      full = false;
      onDrain.run();
    }
  }

  /**
   * On SockJS's websocket transports: answers a client's ping (SockJS has no pings of its own, but a WebSocket client
   * may send them) with a pong written below Vert.x, within the cap. What counts against it here is this sink's own
   * count plus Netty's pending bytes: the text frames SockJS handed to the channel are in both, so the check errs on
   * the strict side. Without a websocket transport there are no pings to answer.
   */
  @Override
  public boolean pong(ByteBuf payload) {
    if (webSocket == null) {
      return true;
    }
    int frameBytes = 2 + payload.readableBytes();
    long after = held + pongBudget.heldBytes() + frameBytes + OutboundBudget.ENTRY_OVERHEAD;
    if (after > maxOutboundBytes) {
      return false;
    }
    if (after > counters.outboundPeakBytes) {
      counters.outboundPeakBytes = after;
    }
    webSocket.writeAndFlush(ControlFrames.pong(webSocket.alloc(), payload), webSocket.voidPromise());
    return true;
  }

  /** The session runs on a SockJS websocket transport whose guard sits at {@code ctx}: pings are answered there. */
  public void webSocket(ChannelHandlerContext ctx) {
    this.webSocket = ctx;
    this.unsentChannel = ctx.channel();
    unsent.base(unsentChannel, writeQueueBytes);
    this.pongBudget = new OutboundBudget(ctx.channel(), maxOutboundBytes, counters);
  }

  /**
   * An HTTP streaming transport's stream goes on on {@code channel} from now (a new request: {@link SockJSStreams}).
   * Any thread; the sink takes it on its own loop, bounds its unsent bytes as a WebSocket's (the gate replaces the
   * kernel option there, and a slow client's fit carries over), and sends what waited in the conflation meanwhile.
   */
  void streamOn(Channel channel) {
    onLoop.execute(() -> {
      stream = channel;
      unsentChannel = channel;
      unsent.base(channel, writeQueueBytes);
      if (fittedUnsent > 0) {
        unsent.limit(fittedUnsent);
      }
      if (fittedSocket > 0) {
        channel.config().setOption(ChannelOption.SO_SNDBUF, fittedSocket);
      }
      onDrain.run();
    });
  }

  @Override
  public void close(short code, String reason) {
    socket.close(code, reason);
  }
}
