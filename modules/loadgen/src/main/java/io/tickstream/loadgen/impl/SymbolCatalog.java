package io.tickstream.loadgen.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The symbols connections subscribe to: a given list ({@code BTCUSDT,ETHUSDT} or {@code @FILE}), or else the
 * node's own, learnt by listening to {@code /stream?streams=!bookTicker} for a moment: the node answers that
 * subscription with a snapshot of every symbol it knows, so a second is plenty.
 */
public final class SymbolCatalog {

  private SymbolCatalog() {
  }

  /** The given list, upper case, {@code @FILE} entries expanded (one symbol per line or comma-separated). */
  public static List<String> fromList(List<String> entries) {
    List<String> out = new ArrayList<>();
    for (String e : entries) {
      if (e.startsWith("@")) {
        try {
          for (String s : Files.readString(Path.of(e.substring(1))).split("[,\\s]+")) {
            if (!s.isBlank()) {
              out.add(s.trim().toUpperCase(Locale.ROOT));
            }
          }
        } catch (IOException x) {
          throw new UncheckedIOException("loadgen.symbol-list: cannot read " + e.substring(1), x);
        }
      } else {
        out.add(e.toUpperCase(Locale.ROOT));
      }
    }
    return out.stream().distinct().toList();
  }

  /** Listens to {@code !bookTicker} for {@code listen} and returns the symbols seen, sorted. */
  public static Future<List<String>> probe(Vertx vertx, LocalTarget target, Duration listen) {
    WebSocketClient client = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    TreeSet<String> seen = new TreeSet<>();
    Promise<List<String>> done = Promise.promise();
    client.connect(new WebSocketConnectOptions().setHost(target.host()).setPort(target.port())
        .setURI("/stream?streams=!bookTicker")).onComplete(ar -> {
          if (ar.failed()) {
            done.fail(new IllegalStateException("cannot learn the node's symbols from "
                + target.host() + ":" + target.port() + "/stream?streams=!bookTicker (" + ar.cause().getMessage()
                + "); give them with --symbol-list"));
            return;
          }
          ar.result().textMessageHandler(m -> {
            JsonObject data = new JsonObject(m).getJsonObject("data");
            if (data != null && data.getString("s") != null) {
              seen.add(data.getString("s").toUpperCase(Locale.ROOT));
            }
          });
          vertx.setTimer(Math.max(1, listen.toMillis()), t -> ar.result().close()
              .onComplete(c -> done.complete(List.copyOf(seen))));
        });
    return done.future().eventually(client::close);
  }

  /**
   * The {@code k} symbols of connection {@code index}: consecutive ones starting at {@code index * k}, wrapping
   * around, so connections cover the whole list evenly instead of all taking the same first {@code k}.
   */
  public static String[] forConnection(List<String> symbols, int index, int k) {
    int n = symbols.size();
    int take = Math.min(k, n);
    String[] out = new String[take];
    long start = (long) index * take;
    for (int i = 0; i < take; i++) {
      out[i] = symbols.get((int) ((start + i) % n));
    }
    return out;
  }


}
