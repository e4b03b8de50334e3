import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

/**
 * One {@code !bookTicker} client that prints the latency stages of every tick it receives after a warm-up:
 * {@code now - pt}, {@code ft - pt} and {@code now - ft} (microseconds; same host, same clock).
 *
 * <p>Run with the JDK's source launcher, no build: {@code java bench/scripts/BookTickerProbe.java URL WARMUP_S MEASURE_S}.
 * Uses only the JDK's own WebSocket client, so it shares nothing with the code it measures.
 */
public final class BookTickerProbe {

  public static void main(String[] args) throws Exception {
    String url = args.length > 0 ? args[0] : "ws://127.0.0.1:8080/ws/!bookTicker";
    long warmupMs = (args.length > 1 ? Long.parseLong(args[1]) : 10) * 1000;
    long measureMs = (args.length > 2 ? Long.parseLong(args[2]) : 30) * 1000;
    int cap = 4_000_000;
    long[] total = new long[cap], kafka = new long[cap], node = new long[cap];
    int[] n = {0};
    long start = System.currentTimeMillis();
    CountDownLatch done = new CountDownLatch(1);
    StringBuilder partial = new StringBuilder();
    WebSocket.Listener listener = new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        long now;
        java.time.Instant i = java.time.Instant.now();
        now = i.getEpochSecond() * 1_000_000 + i.getNano() / 1000;
        partial.append(data);
        if (last) {
          String s = partial.toString();
          partial.setLength(0);
          long el = System.currentTimeMillis() - start;
          if (el >= warmupMs && n[0] < cap) {
            long pt = field(s, "\"pt\":");
            long ft = field(s, "\"ft\":");
            if (pt > 0 && ft > 0) {
              total[n[0]] = now - pt;
              kafka[n[0]] = ft - pt;
              node[n[0]] = now - ft;
              n[0]++;
            }
          }
          if (el >= warmupMs + measureMs) {
            done.countDown();
          }
        }
        ws.request(1);
        return null;
      }
    };
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), listener).join();
    done.await();
    ws.abort();
    int count = n[0];
    System.out.printf("samples=%d rate=%.0f/s%n", count, count * 1000.0 / measureMs);
    print("now-pt", total, count);
    print("ft-pt ", kafka, count);
    print("now-ft", node, count);
    System.exit(0);
  }

  private static long field(String s, String name) {
    int i = s.lastIndexOf(name);
    if (i < 0) {
      return -1;
    }
    i += name.length();
    long v = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      v = v * 10 + (s.charAt(i++) - '0');
    }
    return v;
  }

  private static void print(String name, long[] a, int n) {
    long[] c = Arrays.copyOf(a, n);
    Arrays.sort(c);
    System.out.printf("%s p50=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms%n", name, q(c, 0.5), q(c, 0.99), q(c, 0.999),
        n == 0 ? 0 : c[n - 1] / 1000.0);
  }

  private static double q(long[] c, double p) {
    return c.length == 0 ? 0 : c[Math.min(c.length - 1, (int) Math.ceil(p * c.length) - 1)] / 1000.0;
  }
}
