package io.tickstream.loadgen.impl;

import io.tickstream.common.tick.EpochMicros;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One event loop's share of the connections. Deployed once per event loop; its connections are opened from its
 * context, so their handlers run on its thread and write only its {@link LaneStats}.
 */
public final class Lane extends VerticleBase {

  public final LaneStats stats = new LaneStats();
  private final List<LoadConnection> connections = new ArrayList<>();
  /** Shared by this lane's connections: they all run on its event loop, one message at a time. */
  private final ReceiveBuffer receive = new ReceiveBuffer();
  /** SockJS xhr-streaming sessions' HTTP client ({@code loadgen.mode=sockjs-xhr}), made on first use. */
  private HttpClient http;
  private final Consumer<Lane> onStart;
  /** Samples its connections' view age this often ({@code loadgen.view-age}); 0: never. */
  private final long viewAgeMillis;

  public Lane(Consumer<Lane> onStart) {
    this(onStart, 0);
  }

  /** @param viewAgeMillis how often to sample the connections' view age; 0 never */
  public Lane(Consumer<Lane> onStart, long viewAgeMillis) {
    this.onStart = onStart;
    this.viewAgeMillis = viewAgeMillis;
  }

  @Override
  public Future<?> start() {
    if (viewAgeMillis > 0) {
      vertx.setPeriodic(viewAgeMillis, id -> {
        long now = EpochMicros.now();
        for (LoadConnection c : connections) {
          c.sampleViewAge(now);
        }
      });
    }
    onStart.accept(this);
    return Future.succeededFuture();
  }

  /**
   * Opens one connection; callable from any thread.
   *
   * @param symbols the symbols it subscribes to, or null to subscribe to {@code !bookTicker}
   * @param allSymbols every symbol of the run (shared, read-only): how a {@code !bookTicker} connection tells
   *     them apart; may be null when {@code symbols} is not
   * @param stalls whether it stops reading after its first tick (see {@link StallPattern})
   */
  public void connect(WebSocketClient client, LocalTarget target, String mode, String[] symbols,
                      SymbolIndex allSymbols, boolean stalls) {
    context.runOnContext(v -> {
      LoadConnection c = new LoadConnection(stats, receive, mode, symbols, allSymbols, stalls, viewAgeMillis > 0);
      connections.add(c);
      if (mode.equals(LoadConnection.SOCKJS_XHR)) {
        if (http == null) {
          // Each session holds one connection for its stream and borrows another for each send.
          http = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true),
              new PoolOptions().setHttp1MaxSize(100_000));
        }
        c.openXhr(http, target);
      } else {
        c.open(client, target);
      }
    });
  }

  /**
   * Closes every connection with 1000; completes when all have closed (or failed to). Stalled connections first
   * read what they left unread, to learn whether the node closed them, which may take a few seconds.
   */
  public Future<Void> closeAll() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> closes = new ArrayList<>(connections.size());
      for (LoadConnection c : connections) {
        closes.add(c.close(vertx));
      }
      Future.join(closes).onComplete(ar -> done.complete());
    });
    return done.future();
  }
}
