package io.tickstream.loadgen;

import io.tickstream.common.config.Config;
import io.tickstream.loadgen.impl.Lane;
import io.tickstream.loadgen.impl.LoadTotals;
import io.tickstream.loadgen.impl.LocalTarget;
import io.tickstream.loadgen.impl.SourceAddresses;
import io.tickstream.loadgen.impl.StallPattern;
import io.tickstream.loadgen.impl.SymbolCatalog;
import io.tickstream.loadgen.impl.SymbolIndex;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One bounded run: learn the symbols, ramp connections up at the configured rate, print a progress line every
 * second, and after the configured duration close every connection and return the {@link LoadReport}.
 *
 * <p>{@link #run()} blocks the calling thread (which must not be a Vert.x thread) for about the run's duration.
 * The target and every source address must be loopback addresses: the constructor refuses anything else.
 */
public final class LoadGenerator {

  /** How long closing every connection may take at the end. */
  static final long CLOSE_TIMEOUT_SECONDS = 60;

  private final Config config;
  private final PrintStream out;
  /** How often the view age is sampled with {@code loadgen.view-age}. */
  static final long VIEW_AGE_PERIOD_MILLIS = 200;
  private final LocalTarget target;
  private final List<String> sourceAddresses;
  private final List<Lane> lanes = new CopyOnWriteArrayList<>();
  private final Path jsonPath;

  /**
   * @throws IllegalArgumentException if the URL or a source address is not a loopback address, or the duration is
   *     not between 0 and {@link LoadGenSettings#MAX_DURATION}
   */
  public LoadGenerator(Config config, PrintStream out) {
    this.config = config;
    this.out = out;
    this.target = LocalTarget.parse(config.get(LoadGenSettings.URL));
    this.sourceAddresses = SourceAddresses.parse(config.get(LoadGenSettings.SOURCE_ADDRESSES));
    if (config.get(LoadGenSettings.SETTLE).isNegative()) {
      throw new IllegalArgumentException("loadgen.settle: must not be negative");
    }
    Duration duration = config.get(LoadGenSettings.DURATION);
    if (duration.isNegative() || duration.isZero() || duration.compareTo(LoadGenSettings.MAX_DURATION) > 0) {
      throw new IllegalArgumentException("loadgen.duration: " + duration + " must be more than 0 and at most "
          + LoadGenSettings.MAX_DURATION.toHours() + "h: a run is always bounded in time");
    }
    String given = config.get(LoadGenSettings.JSON_OUT);
    this.jsonPath = Path.of(given != null && !given.isBlank() ? given
        : "loadgen-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
  }

  /** Connections open right now; readable from any thread while {@link #run()} runs. */
  public long openConnections() {
    return lanes.stream().mapToLong(l -> l.stats.openNow()).sum();
  }

  /**
   * Ticks received so far by the healthy connections, snapshots included; readable from any thread while
   * {@link #run()} runs.
   */
  public long ticksReceived() {
    return lanes.stream().mapToLong(l -> l.stats.ticksNow()).sum();
  }

  /** Connections that have stopped reading so far ({@code loadgen.stalled-percent}); readable from any thread. */
  public long stalledConnections() {
    return lanes.stream().mapToLong(l -> l.stats.stalledNow()).sum();
  }

  /** Where {@link #run()} writes the JSON report: {@code --json-out}, or {@code loadgen-<timestamp>.json}. */
  public Path jsonPath() {
    return jsonPath;
  }

  /** Runs, writes the JSON report to {@link #jsonPath()} and returns the report. */
  public LoadReport run() throws Exception {
    int loops = config.get(LoadGenSettings.EVENT_LOOPS);
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
    if (loops > 0) {
      options.setEventLoopPoolSize(loops);
    }
    Vertx vertx = Vertx.vertx(options);
    try {
      LoadReport report = run(vertx, options.getEventLoopPoolSize());
      Files.writeString(jsonPath, report.toJson().encodePrettily());
      return report;
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private LoadReport run(Vertx vertx, int loops) throws Exception {
    List<String> symbols = config.get(LoadGenSettings.SYMBOL_LIST).isEmpty()
        ? SymbolCatalog.probe(vertx, target, config.get(LoadGenSettings.PROBE_TIME)).await(60, TimeUnit.SECONDS)
        : SymbolCatalog.fromList(config.get(LoadGenSettings.SYMBOL_LIST));
    if (symbols.isEmpty()) {
      throw new IllegalStateException("no symbols to subscribe to: the node knows none yet, or the list is empty");
    }
    int connections = config.get(LoadGenSettings.CONNECTIONS);
    boolean allSymbols = config.get(LoadGenSettings.ALL_SYMBOLS);
    // !bookTicker: every connection receives every symbol; the index tells them apart without allocating.
    SymbolIndex index = allSymbols ? new SymbolIndex(symbols) : null;
    int k = allSymbols ? symbols.size() : Math.min(config.get(LoadGenSettings.SYMBOLS), symbols.size());
    String mode = config.get(LoadGenSettings.MODE);
    double stalledPercent = config.get(LoadGenSettings.STALLED_PERCENT);
    StallPattern stalls = new StallPattern(stalledPercent);
    out.printf("loadgen: %d connections x %s (%s) to %s:%d from %s, ramp %d/s, for %s%n",
        connections, allSymbols ? "!bookTicker (" + k + " symbols known)" : k + " of " + symbols.size() + " symbols", mode, target.host(), target.port(),
        sourceAddresses.isEmpty() ? "the OS's choice of address" : sourceAddresses.size() + " source addresses",
        config.get(LoadGenSettings.RAMP_RATE), config.get(LoadGenSettings.DURATION));
    if (stalls.among(connections) > 0) {
      out.printf("loadgen: %d of them (%s%%, spread evenly) stop reading after their first tick; reported apart%n",
          stalls.among(connections), stalledPercent);
    }

    long viewAgeMillis = config.get(LoadGenSettings.VIEW_AGE) ? VIEW_AGE_PERIOD_MILLIS : 0;
    vertx.deployVerticle(() -> new Lane(lanes::add, viewAgeMillis), new DeploymentOptions().setInstances(loops))
        .await(30, TimeUnit.SECONDS);
    List<WebSocketClient> clients = new ArrayList<>();
    for (String source : sourceAddresses.isEmpty() ? java.util.Collections.<String>singletonList(null) : sourceAddresses) {
      WebSocketClientOptions o = new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE)
          .setConnectTimeout(config.get(LoadGenSettings.CONNECT_TIMEOUT)).setTcpNoDelay(true)
          .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20).setTryUsePerMessageCompression(false);
      if (source != null) {
        o.setLocalAddress(source);
      }
      clients.add(vertx.createWebSocketClient(o));
    }

    LoadTotals totals = new LoadTotals(lanes, config.get(LoadGenSettings.WINDOW).toMillis() / 1000.0);
    long startNanos = System.nanoTime();
    int rate = config.get(LoadGenSettings.RAMP_RATE);
    int[] launched = {0};
    long ramp = vertx.setPeriodic(10, id -> {
      double elapsed = (System.nanoTime() - startNanos) / 1e9;
      long due = Math.min(connections, 1 + (long) (rate * elapsed));
      for (; launched[0] < due; launched[0]++) {
        int i = launched[0];
        lanes.get(i % lanes.size()).connect(clients.get(i % clients.size()), target, mode,
            allSymbols ? null : SymbolCatalog.forConnection(symbols, i, k), index, stalls.stalls(i));
      }
      if (launched[0] >= connections) {
        vertx.cancelTimer(id);
      }
    });
    Duration settle = config.get(LoadGenSettings.SETTLE);
    boolean[] rampDone = {false};
    long progress = vertx.setPeriodic(1000, id -> {
      double now = (System.nanoTime() - startNanos) / 1e9;
      out.println(totals.progressLine(now));
      String windowLine = totals.closeWindow(now);
      if (windowLine != null) {
        out.println(windowLine);
      }
      if (!rampDone[0] && launched[0] >= connections) {
        LoadTotals.Snapshot s = totals.snapshot();
        if (s.opened() + s.connectErrors() >= connections) {
          rampDone[0] = true;
          out.println("loadgen: every connection opened or failed; settling for " + settle.toMillis() / 1000.0 + " s");
          vertx.setTimer(Math.max(1, settle.toMillis()), t -> {
            totals.steadyStart((System.nanoTime() - startNanos) / 1e9);
            out.println("loadgen: settled; the rest of the run is the steady state");
          });
        }
      }
    });

    Duration duration = config.get(LoadGenSettings.DURATION);
    vertx.timer(duration.toMillis()).await(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS);
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    vertx.cancelTimer(ramp);
    vertx.cancelTimer(progress);
    // Closed first, counted after: nothing arrives any more, so the counts and the histogram agree.
    Future.join(lanes.stream().map(Lane::closeAll).toList()).await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Histogram latency = totals.mergeLatency();
    LoadTotals.Snapshot end = totals.snapshot();
    LoadReport.Steady steady = totals.steady(end.ticks(), seconds);
    for (WebSocketClient c : clients) {
      c.close();
    }
    return new LoadReport(config.get(LoadGenSettings.URL), mode, connections, k, seconds, end.opened(),
        end.withTicks(), end.connectErrors(), end.closesByCode(), end.ticks(), end.snapshots(), end.conflated(),
        end.notAdvanced(), end.other(), end.shutdownNotices(), latency, totals.fanoutLatency(),
        totals.steadyLatency(), steady, new LoadReport.Stalled(stalledPercent, stalls.among(connections), end.stalled(),
            end.stalledTicks(), end.stalledClosesByCode()), totals.windows());
  }
}
