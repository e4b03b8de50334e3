package io.tickstream.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/**
 * A WebSocket server that does nothing but send book-ticker frames as fast as each client reads them: the load
 * generator's throughput harness ({@code bench/loadgen-throughput.sh}), so that what is measured is the client.
 *
 * <p>It answers the upgrade of {@code /ws/a@bookTicker/b@bookTicker} (raw) or {@code /stream?streams=...}
 * (combined) by hand, then writes batches of {@value #DEFAULT_FRAMES_PER_WRITE} (or the second argument) pre-encoded text frames (one syscall per
 * batch, not per frame: a server that flushes per frame would be the bottleneck) of the connection's symbols, in
 * turn, with {@code u} advancing by one per symbol and {@code pt}/{@code ft} the time of the batch, until the socket's
 * write queue is full; the drain handler resumes it. So the rate is whatever the client reads. One event loop;
 * meant to run on a core of its own ({@code taskset -c 0}).
 *
 * <p>Usage: {@code java -cp tickstream-bench-*-all.jar io.tickstream.bench.FrameFirehose [port [framesPerWrite]]} (29500, 64).
 */
public final class FrameFirehose {

  /** Frames per socket write (one syscall each) unless the second argument says otherwise. */
  static final int DEFAULT_FRAMES_PER_WRITE = 64;
  private static int framesPerWrite = DEFAULT_FRAMES_PER_WRITE;
  /** Between the 101 and the first frame: time for the client to swap its HTTP decoder for a WebSocket one. */
  static final long START_DELAY_MILLIS = 200;
  /** Writes one connection makes before the others get the event loop. */
  static final int WRITES_PER_TURN = 16;
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private FrameFirehose() {
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 29500;
    framesPerWrite = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_FRAMES_PER_WRITE;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
    vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true)).connectHandler(FrameFirehose::serve)
        .listen(port).onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        }).await();
    System.out.println("firehose listening on " + port);
  }

  private static void serve(NetSocket socket) {
    Buffer[] request = {Buffer.buffer()};
    Connection[] conn = {null};
    socket.handler(data -> {
      if (conn[0] != null) {
        // The client's close frame (opcode 8) ends it; pings and anything else are ignored.
        if ((data.getByte(0) & 0x0F) == 0x8) {
          conn[0].stopped = true;
          socket.write(Buffer.buffer(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE8})).onComplete(v -> socket.close());
        }
        return;
      }
      request[0].appendBuffer(data);
      String head = request[0].toString(StandardCharsets.ISO_8859_1);
      if (!head.contains("\r\n\r\n")) {
        return;
      }
      String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
      String key = head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n");
      Connection c = new Connection(socket, path);
      conn[0] = c;
      socket.setWriteQueueMaxSize(256 * 1024);
      socket.closeHandler(v -> c.stopped = true);
      socket.exceptionHandler(e -> c.stopped = true);
      socket.drainHandler(v -> {
        if (!c.scheduled) {
          c.pump();
        }
      });
      // Frames in the same read as the 101 would reach the client's HTTP decoder, not its WebSocket decoder.
      Vertx.currentContext().owner().setTimer(START_DELAY_MILLIS, id -> c.pump());
    });
  }

  static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** One client: its symbols and their {@code u}. */
  private static final class Connection {
    final NetSocket socket;
    final String[] symbols;
    final String[] streams;
    final boolean combined;
    final long[] u;
    int next;
    boolean stopped;
    /** A turn is queued on the event loop: the drain handler must not start a second chain of turns. */
    boolean scheduled;

    Connection(NetSocket socket, String path) {
      this.socket = socket;
      combined = path.startsWith("/stream");
      String list = combined ? path.substring(path.indexOf("streams=") + "streams=".length()) : path.substring(4);
      streams = list.split("/");
      symbols = new String[streams.length];
      for (int i = 0; i < streams.length; i++) {
        symbols[i] = streams[i].substring(0, streams[i].indexOf('@')).toUpperCase(Locale.ROOT);
      }
      u = new long[symbols.length];
      for (int i = 0; i < u.length; i++) {
        u[i] = 1_000_000_000L;
      }
    }

    /**
     * Writes until the write queue is full (the drain handler calls again), or for {@link #WRITES_PER_TURN}
     * writes, then yields the event loop so other connections, and new upgrades, get their turn.
     */
    void pump() {
      for (int w = 0; w < WRITES_PER_TURN; w++) {
        if (stopped || socket.writeQueueFull()) {
          return;
        }
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        Buffer batch = Buffer.buffer(framesPerWrite * 200);
        for (int f = 0; f < framesPerWrite; f++) {
          int i = next;
          next = (next + 1) % symbols.length;
          String payload = "{\"u\":" + (u[i]++) + ",\"s\":\"" + symbols[i]
              + "\",\"b\":\"25.35190000\",\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\",\"pt\":"
              + micros + ",\"ft\":" + micros + "}";
          String message = combined ? "{\"stream\":\"" + streams[i] + "\",\"data\":" + payload + "}" : payload;
          byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
          batch.appendByte((byte) 0x81);
          if (bytes.length <= 125) {
            batch.appendByte((byte) bytes.length);
          } else {
            batch.appendByte((byte) 126).appendShort((short) bytes.length);
          }
          batch.appendBytes(bytes);
        }
        socket.write(batch);
      }
      scheduled = true;
      Vertx.currentContext().runOnContext(v -> {
        scheduled = false;
        pump();
      });
    }
  }
}
