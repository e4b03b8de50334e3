package io.tickstream.local;

import io.tickstream.common.cluster.ClusterStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Logs one line every interval with what the whole cluster does: ticks/s the ingest nodes got acknowledged by Kafka,
 * ticks/s the fanout nodes read, and their connections. It reads the node statuses every node already publishes on
 * {@link ClusterStatus#ADDRESS}, so nodes started beside {@code ./tickstream local} count too.
 *
 * <p>A verticle, so the consumer and the timer share its one event loop and the map needs no lock.
 */
final class StatusLine extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger("io.tickstream.local.status");

  private final Map<String, JsonObject> latest = new HashMap<>();
  private final Duration interval;
  private final long staleMillis = ClusterStatus.STALE_INTERVALS * ClusterStatus.DEFAULT_INTERVAL.toMillis();

  /** @param interval how often to log, positive */
  StatusLine(Duration interval) {
    this.interval = interval;
  }

  @Override
  public Future<?> start() {
    // Vert.x cancels the timer and unregisters the consumer when the verticle is undeployed.
    vertx.setPeriodic(interval.toMillis(), id -> log.info(line(System.currentTimeMillis())));
    return vertx.eventBus().<JsonObject>consumer(ClusterStatus.ADDRESS, msg -> {
      JsonObject status = msg.body();
      latest.put(status.getString("node") + "/" + status.getString("role"), status);
    }).completion();
  }

  /** {@code ingest 1 node, 1933 symbols, 1502 ticks/s to Kafka | fanout 1 node, 1498 ticks/s in, 3 connections}. */
  String line(long now) {
    latest.values().removeIf(s -> now - s.getLong("at", 0L) > staleMillis);
    int ingestNodes = 0;
    int fanoutNodes = 0;
    long symbols = 0;
    long ingestTicks = 0;
    long fanoutTicks = 0;
    long connections = 0;
    for (JsonObject s : latest.values()) {
      if ("ingest".equals(s.getString("role"))) {
        ingestNodes++;
        symbols += s.getLong("symbols", 0L);
        ingestTicks += s.getLong("ticksPerSecond", 0L);
      } else if ("fanout".equals(s.getString("role"))) {
        fanoutNodes++;
        fanoutTicks += s.getLong("ticksPerSecond", 0L);
        connections += s.getLong("connections", 0L);
      }
    }
    return "ingest " + nodes(ingestNodes) + ", " + symbols + " symbols, " + ingestTicks + " ticks/s to Kafka | fanout "
        + nodes(fanoutNodes) + ", " + fanoutTicks + " ticks/s in, " + connections
        + (connections == 1 ? " connection" : " connections");
  }

  private static String nodes(int n) {
    return n + (n == 1 ? " node" : " nodes");
  }
}
