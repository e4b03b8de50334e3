package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A wire-level fuzzer against a live node: a real node on the real broker with ticks flowing, one healthy WebSocket
 * client subscribed to a symbol, and rounds of raw TCP connections sending random frames and frame sequences
 * ({@link FuzzFrames}), some after random garbage instead of a handshake. Asserted, for both WebSocket transports:
 * <ul>
 *   <li>no fuzz connection is left stuck: each is closed by the node, or still answers a ping, within a bound;</li>
 *   <li>the healthy client keeps receiving ticks through every round, its {@code u} strictly increasing;</li>
 *   <li>memory stays bounded: once the fuzz connections are gone the node's connection count and pending ticks are
 *       back to the healthy client's alone (per-connection state is released, not leaked);</li>
 *   <li>the node never crashes: a new client connects and gets the symbol's snapshot at the end.</li>
 * </ul>
 * Seeded and reproducible: the seed is printed at the start and named in every failure; {@code -Dfuzz.seed=N} replays
 * it, {@code -Dfuzz.rounds} and {@code -Dfuzz.connections} run longer (see {@code docs/security/testing.md}). Bounded:
 * the defaults open 4 x 8 fuzz connections per transport, well under the per-IP limits of issue 13, in about a
 * minute.
 */
@Tag("fuzz")
@ExtendWith(KafkaBrokerExtension.class)
class WireFuzzTest {

  private static final int MAX_FRAME_BYTES = 4096;
  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  private static final int ROUNDS = Integer.getInteger("fuzz.rounds", 4);
  private static final int CONNECTIONS = Integer.getInteger("fuzz.connections", 8);
  private static final int MAX_MOVES = Integer.getInteger("fuzz.moves", 25);
  /** How long a fuzz connection may take to be closed or to answer a ping: past the pong timeout, with margin. */
  private static final Duration STUCK_BOUND = Duration.ofSeconds(45);

  @ParameterizedTest(name = "fanout.websocket-transport={0}")
  @ValueSource(strings = {"channel", "vertx"})
  void randomFramesNeitherCrashNorStickNorDisturbOtherClients(String transport) throws Exception {
    System.out.println("WireFuzzTest " + transport + ": seed " + SEED + " (replay with -Dfuzz.seed=" + SEED + ")");
    try {
      fuzz(transport);
    } catch (Throwable t) {
      AssertionError e = new AssertionError("fuzz seed " + SEED + ", transport " + transport
          + " (replay with -Dfuzz.seed=" + SEED + "): " + t.getMessage(), t);
      throw e;
    }
  }

  private void fuzz(String transport) throws Exception {
    JsonObject config = new JsonObject().put("fanout.websocket-transport", transport)
        .put("fanout.max-frame-bytes", MAX_FRAME_BYTES)
        // A fuzz connection that stops mid-frame sends no pong: it must be closed well within STUCK_BOUND.
        .put("fanout.ping-interval", "1s").put("fanout.pong-timeout", "10s");
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    ExecutorService workers = Executors.newCachedThreadPool();
    try (FanoutFixture node = FanoutFixture.create("fuzz-" + transport, config)) {
      AtomicLong produced = new AtomicLong();
      node.produce("BNBUSDT", produced.incrementAndGet());
      node.deploy();
      ticker.scheduleAtFixedRate(() -> node.producer.send(new ProducerRecord<>(node.topic, "BNBUSDT",
          new io.tickstream.common.tick.BookTickerEncoder().recordValue(FanoutFixture.tick("BNBUSDT",
              produced.incrementAndGet())))), 0, 20, TimeUnit.MILLISECONDS);

      TestClient healthy = node.connect("/ws/bnbusdt@bookTicker");
      UTracker tracker = new UTracker(healthy);
      tracker.awaitAtLeast(1);
      Random seeds = new Random(SEED ^ transport.hashCode());

      for (int round = 0; round < ROUNDS; round++) {
        List<Future<FuzzConnection>> running = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
          long seed = seeds.nextLong();
          int index = round * CONNECTIONS + i;
          running.add(workers.submit(() -> FuzzConnection.run(node.port(), index, seed)));
        }
        List<FuzzConnection> connections = new ArrayList<>();
        for (Future<FuzzConnection> f : running) {
          connections.add(f.get(120, TimeUnit.SECONDS));
        }
        for (FuzzConnection c : connections) {
          await("fuzz connection " + c).atMost(STUCK_BOUND).pollInterval(Duration.ofMillis(200))
              .until(c::closedByServerOrAnswersPing);
        }
        System.out.println("round " + round + ": " + connections.stream()
            .collect(java.util.stream.Collectors.groupingBy(c -> c.outcome, java.util.TreeMap::new,
                java.util.stream.Collectors.counting())));
        // Ticks kept flowing to the healthy client through the round: it gets one produced after the round.
        tracker.awaitAtLeast(produced.get());
        for (FuzzConnection c : connections) {
          c.close();
        }
        // Every fuzz connection's state is released: only the healthy client is left.
        await("connections back to the healthy client's after round " + round).atMost(Duration.ofSeconds(30))
            .until(() -> node.meter(FanoutMetrics.CONNECTIONS) == 1);
      }
      assertThat(healthy.isClosed()).as("healthy client closed with %s", healthy.closeStatus).isFalse();
      await("pending ticks released").atMost(Duration.ofSeconds(30)).until(() -> node.meter(FanoutMetrics.PENDING) == 0);
      // The node still serves a new client.
      TestClient fresh = node.connect("/ws/bnbusdt@bookTicker");
      assertThat(fresh.next().getString("s")).isEqualTo("BNBUSDT");
      fresh.close();
      tracker.awaitAtLeast(produced.get());
      healthy.close();
    } finally {
      ticker.shutdownNow();
      workers.shutdownNow();
    }
  }

  /** The healthy client's ticks: {@code u} strictly increasing, and the newest one seen. */
  private static final class UTracker {
    private final TestClient client;
    private long last = -1;

    UTracker(TestClient client) {
      this.client = client;
    }

    void awaitAtLeast(long u) {
      await("healthy client receives u >= " + u + " (last " + last + ", closed " + client.closeStatus + ")")
          .atMost(Duration.ofSeconds(30)).until(() -> {
            while (client.pendingMessages() > 0) {
              JsonObject m = client.next();
              long next = m.getLong("u");
              assertThat(next).as("u after %d", last).isGreaterThan(last);
              last = next;
            }
            return last >= u;
          });
    }
  }

  /**
   * One raw TCP connection: a handshake (or garbage instead), then random moves; a reader thread keeps taking the
   * node's frames so the node never has to hold them for us.
   */
  static final class FuzzConnection {
    private final int index;
    private final long seed;
    private final Socket socket = new Socket();
    private final List<String> moves = new ArrayList<>();
    private DataInputStream in;
    private OutputStream out;
    private FuzzFrames frames;
    private volatile boolean upgraded;
    private volatile boolean closedByServer;
    private volatile String httpStatus;
    /** How the check ended: closed-CODE (or closed-tcp without a close frame), answers-ping or http-NNN. */
    volatile String outcome;
    private volatile int closeCode = -1;
    /** What was wrong with the node's close frame, if anything. */
    private volatile String badClose;
    private final LinkedBlockingQueue<String> pongs = new LinkedBlockingQueue<>();
    private int pings;
    private Thread reader;

    private FuzzConnection(int index, long seed) {
      this.index = index;
      this.seed = seed;
    }

    static FuzzConnection run(int port, int index, long seed) throws IOException {
      FuzzConnection c = new FuzzConnection(index, seed);
      c.start(port);
      return c;
    }

    private void start(int port) throws IOException {
      Random random = new Random(seed);
      frames = new FuzzFrames(random, MAX_FRAME_BYTES);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(30_000);
      socket.setTcpNoDelay(true);
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
      boolean garbageFirst = random.nextInt(8) == 0;
      if (garbageFirst) {
        moves.add("garbage-before-handshake");
        write(frames.garbageLine());
      } else {
        String streams = random.nextBoolean() ? "/ws/bnbusdt@bookTicker" : "/ws";
        write(WireWebSocketClient.upgradeRequest(streams, "").getBytes(StandardCharsets.US_ASCII));
      }
      String head = readHead();
      if (head == null) {
        closedByServer = true;
        return;
      }
      httpStatus = head.length() >= 12 ? head.substring(9, 12) : head;
      upgraded = head.startsWith("HTTP/1.1 101");
      if (!upgraded) {
        return;
      }
      reader = new Thread(this::readFrames, "fuzz-reader-" + index);
      reader.setDaemon(true);
      // One in six reads nothing until it is checked: the node must not hold its replies and pongs without bound.
      if (random.nextInt(6) == 0) {
        moves.add("not-reading");
      } else {
        reader.start();
      }
      int n = 1 + random.nextInt(MAX_MOVES);
      for (int i = 0; i < n && !closedByServer; i++) {
        FuzzFrames.Move move = frames.next();
        moves.add(move.kind());
        write(move.bytes());
        if (random.nextInt(6) == 0) {
          // Now and then a garbage tail right behind a move: bytes after a frame that are no frame.
          if (random.nextBoolean()) {
            moves.add("garbage-after");
            write(frames.randomBytes(1 + random.nextInt(64)));
          }
        }
      }
    }

    private void write(byte[] bytes) {
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        closedByServer = true; // reset or closed: the node ended it
      }
    }

    /** The HTTP response head, or null if the node closed the connection first. */
    private String readHead() {
      StringBuilder head = new StringBuilder();
      try {
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            return null;
          }
          head.append((char) b);
        }
        return head.toString();
      } catch (IOException e) {
        return null;
      }
    }

    private void readFrames() {
      try {
        while (true) {
          WireWebSocketClient.WireFrame f = WireWebSocketClient.readFrame(in);
          if (f.opcode() == 8) {
            closeCode = f.closeStatus();
            if (!sendable(f)) {
              badClose = "close frame the node sent has code " + closeCode + " (" + f.payload().length + " bytes)";
            }
            closedByServer = true;
            return;
          }
          if (f.opcode() == 10) {
            pongs.add(f.text());
          }
        }
      } catch (SocketTimeoutException e) {
        // Nothing for 30 s: the check below decides whether that is stuck.
      } catch (IOException e) {
        closedByServer = true;
      }
    }

    /**
     * True once the node closed this connection (close frame, EOF, reset) or, for one still open, once it answered a
     * ping of ours within two seconds (for a connection refused before the upgrade: once the node answered it over
     * HTTP, or closed it).
     */
    boolean closedByServerOrAnswersPing() throws InterruptedException {
      assertThat(badClose).as("connection %s", this).isNull();
      if (closedByServer) {
        outcome = closedOutcome();
        return true;
      }
      if (!upgraded) {
        // Refused with an HTTP status: it answered. Keep-alive is allowed; an answer is not being stuck.
        outcome = "http-" + httpStatus;
        return httpStatus != null;
      }
      if (!reader.isAlive() && reader.getState() == Thread.State.NEW) {
        reader.start();
      }
      String payload = "check-" + (++pings);
      write(frames.frame(0x89, true, FuzzFrames.utf8(payload)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < deadline) {
        String pong = pongs.poll(100, TimeUnit.MILLISECONDS);
        if (payload.equals(pong) || closedByServer) {
          outcome = closedByServer ? closedOutcome() : "answers-ping";
          return true;
        }
      }
      return false;
    }

    /**
     * Whether a client may accept this close frame from a server (RFC 6455 5.5.1, 7.4): no payload, or a code of
     * 1000-1003, 1007-1014 or 3000-4999 followed by at most 123 bytes of reason.
     */
    private static boolean sendable(WireWebSocketClient.WireFrame close) {
      int n = close.payload().length;
      if (n == 0) {
        return true;
      }
      int code = close.closeStatus();
      return n >= 2 && n <= 125 && ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
          || (code >= 3000 && code <= 4999));
    }

    private String closedOutcome() {
      return closeCode < 0 ? "closed-tcp" : "closed-" + closeCode;
    }

    void close() throws IOException {
      socket.close();
    }

    @Override
    public String toString() {
      return "#" + index + " (seed " + seed + ", http " + httpStatus + ", moves " + moves + ")";
    }
  }
}
