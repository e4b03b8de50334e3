import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SUBSCRIBE/UNSUBSCRIBE churn against a node: {@code CONNECTIONS} clients each alternate {@code SUBSCRIBE ["STREAM"]}
 * and {@code UNSUBSCRIBE ["STREAM"]} at {@code RATE} messages per second (2 by default: well within Binance's 5 with the pongs to the node's pings, which count
 * too, whatever the scheduling jitter) for {@code SECONDS},
 * reading and discarding everything the node sends. Prints one line: requests sent, replies that were errors, messages
 * received. What it costs the node is measured outside (its CPU time; {@code bench/churn.sh}).
 *
 * <p>Run with the JDK's source launcher, no build:
 * {@code java bench/scripts/SubscribeChurn.java URL CONNECTIONS RATE SECONDS [STREAM]} (STREAM: {@code !bookTicker}).
 * Uses only the JDK's own WebSocket client, so it shares nothing with the code it measures.
 */
public final class SubscribeChurn {

  public static void main(String[] args) throws Exception {
    String url = args.length > 0 ? args[0] : "ws://127.0.0.1:8080/ws";
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    double rate = args.length > 2 ? Double.parseDouble(args[2]) : 2;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    String stream = args.length > 4 ? args[4] : "!bookTicker";
    AtomicLong sent = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong received = new AtomicLong();
    AtomicLong closed = new AtomicLong();
    java.util.Map<Integer, AtomicLong> closeCodes = new java.util.concurrent.ConcurrentSkipListMap<>();
    AtomicLong failedSends = new AtomicLong();
    HttpClient http = HttpClient.newHttpClient();
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      sockets.add(http.newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          partial.append(data);
          if (last) {
            received.incrementAndGet();
            if (partial.indexOf("\"error\"") >= 0) {
              errors.incrementAndGet();
            }
            partial.setLength(0);
          }
          ws.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
          closed.incrementAndGet();
          closeCodes.computeIfAbsent(statusCode, c -> new AtomicLong()).incrementAndGet();
          return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
          ws.request(1);
          return null;
        }
      }).get(30, TimeUnit.SECONDS));
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    long periodMicros = (long) (1_000_000 / rate);
    for (int i = 0; i < connections; i++) {
      WebSocket ws = sockets.get(i);
      boolean[] subscribe = {true};
      int[] id = {0};
      // Spread the connections over one period, so the node sees a steady stream of requests, not bursts.
      // Fixed delay, not rate: a late run never bursts to catch up (a burst would pass the 5 messages a second).
      timer.scheduleWithFixedDelay(() -> {
        String method = subscribe[0] ? "SUBSCRIBE" : "UNSUBSCRIBE";
        subscribe[0] = !subscribe[0];
        try {
          ws.sendText("{\"method\":\"" + method + "\",\"params\":[\"" + stream + "\"],\"id\":" + (++id[0]) + "}", true)
              .whenComplete((w, e) -> (e == null ? sent : failedSends).incrementAndGet());
        } catch (IllegalStateException pending) {
          failedSends.incrementAndGet();
        }
      }, periodMicros * i / connections, periodMicros, TimeUnit.MICROSECONDS);
    }
    timer.awaitTermination(seconds, TimeUnit.SECONDS);
    timer.shutdownNow();
    System.out.printf("churn: %d connections, %.1f requests/s each, %d s: sent=%d failedSends=%d errorReplies=%d "
        + "received=%d closedByNode=%d %s%n", connections, rate, seconds, sent.get(), failedSends.get(), errors.get(),
        received.get(), closed.get(), closeCodes);
    for (WebSocket ws : sockets) {
      ws.abort();
    }
    System.exit(0);
  }
}
