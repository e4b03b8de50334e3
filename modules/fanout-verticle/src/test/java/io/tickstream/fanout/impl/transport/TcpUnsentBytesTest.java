package io.tickstream.fanout.impl.transport;

import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The count a slow client's sender waits on: on a native socket whose peer stops reading, the bytes the kernel holds
 * unsent grow to what the peer's window cannot take, and fall to zero once the peer reads everything; on a transport
 * without a file descriptor (NIO) the count is unknown (-1), and the node falls back to its buffers' limits.
 */
class TcpUnsentBytesTest {

  private static final int WRITTEN = 2 * 1024 * 1024;

  @Test
  void countsWhatAPeerThatDoesNotReadLeavesUnsent() throws Exception {
    assumeThat(TcpUnsentBytes.available()).as("Linux and JDK 22+").isTrue();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      assertThat(vertx.isNativeTransportEnabled()).as("epoll on this machine").isTrue();
      CompletableFuture<Channel> accepted = new CompletableFuture<>();
      NetServer server = vertx.createNetServer().connectHandler(so -> {
        so.write(Buffer.buffer(new byte[WRITTEN]));
        accepted.complete(((NetSocketInternal) so).channelHandlerContext().channel());
      });
      server.listen(0, "127.0.0.1").await();
      try (Socket peer = new Socket()) {
        peer.setReceiveBufferSize(8192);
        peer.connect(new InetSocketAddress("127.0.0.1", server.actualPort()));
        Channel channel = accepted.get(10, TimeUnit.SECONDS);

        // The peer reads nothing: most of the 2 MB stays in the node's socket (its window is a few KB).
        await().atMost(Duration.ofSeconds(10)).until(() -> unsent(channel) > WRITTEN / 2);
        assertThat(unsent(channel)).isLessThanOrEqualTo(WRITTEN);

        InputStream in = peer.getInputStream();
        byte[] sink = new byte[65536];
        long read = 0;
        while (read < WRITTEN) {
          int n = in.read(sink);
          assertThat(n).as("the node's bytes arrive").isPositive();
          read += n;
        }
        assertThat(unsent(channel)).as("all sent once the peer has read all").isZero();
      }
      server.close().await();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void isUnknownOnATransportWithoutADescriptor() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
    try {
      CompletableFuture<Channel> accepted = new CompletableFuture<>();
      NetServer server = vertx.createNetServer()
          .connectHandler(so -> accepted.complete(((NetSocketInternal) so).channelHandlerContext().channel()));
      server.listen(0, "127.0.0.1").await();
      try (Socket peer = new Socket("127.0.0.1", server.actualPort())) {
        assertThat(unsent(accepted.get(10, TimeUnit.SECONDS))).isEqualTo(-1);
      }
      server.close().await();
    } finally {
      vertx.close().await();
    }
  }

  /** Read on the channel's event loop, as the node does. */
  private static long unsent(Channel channel) throws Exception {
    CompletableFuture<Long> result = new CompletableFuture<>();
    channel.eventLoop().execute(() -> result.complete(TcpUnsentBytes.of(channel)));
    return result.get(10, TimeUnit.SECONDS);
  }
}
