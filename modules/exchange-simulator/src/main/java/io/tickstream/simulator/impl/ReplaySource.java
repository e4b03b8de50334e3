package io.tickstream.simulator.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tickstream.common.tick.Symbols;
import io.tickstream.common.capture.CaptureFormat;
import io.tickstream.simulator.SymbolStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Plays a {@link CaptureFormat} file back instead of generated ticks.
 *
 * <p>Each frame is routed by its symbol (a combined envelope's {@code data.s}, or a payload's {@code s}) to
 * the connections subscribed to that symbol's stream, in each connection's framing; a frame that names no
 * symbol (events, replies, malformed text) goes to every connection exactly as captured, which replays
 * faults faithfully. Symbols seen in the file are listed as TRADING. The whole file is loaded into memory
 * (on a worker thread) before the server starts: fine for captures of a few hundred megabytes.
 *
 * <p><b>Threading:</b> {@link #load} parses off the event loop; everything else runs on the simulator's context.
 */
final class ReplaySource {

  private static final Logger LOG = LoggerFactory.getLogger(ReplaySource.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final long PUMP_MILLIS = 2;
  private static final int MAX_BATCH = 20_000;

  private record Frame(long rtMicros, String symbol, byte[] raw, byte[] combined) {
  }

  private final Vertx vertx;
  private final StreamHub hub;
  private final SymbolUniverse universe;
  private final String file;
  private final double speed;
  private final boolean loop;
  private List<Frame> frames = List.of();
  private int next;
  private long loops;
  private long startNanos;
  private long timer = -1;

  ReplaySource(Vertx vertx, StreamHub hub, SymbolUniverse universe, String file, double speed, boolean loop) {
    this.vertx = vertx;
    this.hub = hub;
    this.universe = universe;
    this.file = file;
    this.speed = speed;
    this.loop = loop;
  }

  static double speed(String text) {
    double v;
    try {
      v = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("simulator.replay-speed: '" + text + "' must be a number such as 1.0 or 0");
    }
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException("simulator.replay-speed: '" + text + "' must be 0 or positive");
    }
    return v;
  }

  Future<Void> load() {
    return vertx.executeBlocking(() -> read(Path.of(file))).map(list -> {
      frames = list;
      Set<String> symbols = new LinkedHashSet<>();
      list.forEach(f -> {
        if (f.symbol != null) {
          symbols.add(f.symbol);
        }
      });
      symbols.forEach(s -> {
        if (universe.get(s) == null) {
          universe.put(s, SymbolStatus.TRADING);
        }
      });
      LOG.info("replaying {} frames of {} symbols from {} at speed {}{}", list.size(), symbols.size(), file,
          speed == 0 ? "max" : speed, loop ? ", looping" : "");
      return null;
    });
  }

  private static List<Frame> read(Path path) throws IOException {
    List<Frame> list = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        CaptureFormat.Entry e;
        try {
          e = CaptureFormat.parse(line);
        } catch (IllegalArgumentException ex) {
          throw new IOException(path + " line " + lineNo + ": " + ex.getMessage(), ex);
        }
        list.add(route(e));
      }
    }
    return list;
  }

  /** Works out the symbol and both framings of a captured frame; unroutable frames keep their text. */
  private static Frame route(CaptureFormat.Entry e) {
    String text = e.frame();
    byte[] asIs = text.getBytes(StandardCharsets.UTF_8);
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new Frame(e.receiveTimeMicros(), null, asIs, asIs);
      }
      String payload = null;
      String symbol = null;
      String stream = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("data") && value == JsonToken.START_OBJECT) {
          int start = (int) p.currentTokenLocation().getCharOffset();
          p.skipChildren();
          payload = text.substring(start, (int) p.currentLocation().getCharOffset());
        } else if (field.equals("s") && value == JsonToken.VALUE_STRING) {
          symbol = p.getText();
        } else if (field.equals("stream") && value == JsonToken.VALUE_STRING) {
          stream = p.getText();
        } else {
          p.skipChildren();
        }
      }
      if (payload != null) {
        Object s = new JsonObject(payload).getValue("s");
        symbol = s instanceof String str ? str : null;
      } else {
        payload = text;
      }
      if (symbol == null || Symbols.problem(symbol) != null || (stream != null && stream.startsWith("!"))) {
        return new Frame(e.receiveTimeMicros(), null, asIs, asIs);
      }
      symbol = symbol.toUpperCase(Locale.ROOT);
      String canonical = symbol.toLowerCase(Locale.ROOT) + "@bookTicker";
      String combined = "{\"stream\":\"" + canonical + "\",\"data\":" + payload + "}";
      return new Frame(e.receiveTimeMicros(), symbol, payload.getBytes(StandardCharsets.UTF_8),
          combined.equals(text) ? asIs : combined.getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException ex) {
      return new Frame(e.receiveTimeMicros(), null, asIs, asIs);
    }
  }

  void start() {
    startNanos = System.nanoTime();
    timer = vertx.setPeriodic(PUMP_MILLIS, id -> pump(System.nanoTime()));
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void pump(long now) {
    if (frames.isEmpty()) {
      stop();
      return;
    }
    long firstRt = frames.get(0).rtMicros;
    double dueMicros = speed == 0 ? Double.MAX_VALUE : (now - startNanos) / 1000.0 * speed;
    int sent = 0;
    while (sent < MAX_BATCH) {
      if (next == frames.size()) {
        if (!loop) {
          stop();
          break;
        }
        next = 0;
        loops++;
        startNanos = now;
        break;
      }
      Frame f = frames.get(next);
      if (f.rtMicros - firstRt > dueMicros) {
        break;
      }
      next++;
      sent++;
      if (f.symbol == null) {
        hub.publishToAll(f.raw);
      } else {
        hub.publish(hub.registry.forSymbol(f.symbol), new StreamHub.Frames() {
          @Override
          public byte[] raw() {
            return f.raw;
          }

          @Override
          public byte[] combined() {
            return f.combined;
          }
        });
      }
    }
    hub.flushAll();
  }

  JsonObject status() {
    return new JsonObject().put("file", file).put("frames", frames.size()).put("position", next)
        .put("loops", loops).put("finished", timer < 0 && next == frames.size());
  }
}
