package io.tickstream.ingest;

/**
 * Names of the ingest's Micrometer meters. In Prometheus they appear with dots as underscores and
 * counters suffixed {@code _total}, e.g. {@code tickstream_ingest_frames_in_total}.
 */
public final class IngestMetrics {

  /** Counter, tag {@code chunk}: exchange frames received per connection chunk. */
  public static final String FRAMES_IN = "tickstream.ingest.frames.in";
  /** Counter: ticks handed to the Kafka producer. */
  public static final String TICKS_SENT = "tickstream.ingest.ticks.sent";
  /** Counter: ticks Kafka acknowledged. */
  public static final String TICKS_ACKED = "tickstream.ingest.ticks.acked";
  /** Timer: from handing a record to the producer to Kafka's acknowledgement. */
  public static final String KAFKA_SEND_LATENCY = "tickstream.ingest.kafka.send.latency";
  /** Timer: from frame receipt ({@code pt}) to Kafka's acknowledgement: the latency the ingest adds. */
  public static final String ADDED_LATENCY = "tickstream.ingest.added.latency";
  /** Counter: tombstones (key = symbol, null value) Kafka acknowledged, one per symbol the exchange stopped listing as TRADING. */
  public static final String TOMBSTONES = "tickstream.ingest.tombstones";
  /** Counter, tag {@code cause}: connections replaced or re-opened (closed, error, watchdog, max-age, server-shutdown, rejected). */
  public static final String RECONNECTS = "tickstream.ingest.reconnects";
  /** Counter: {@code serverShutdown} notices received from the exchange (one per connection notified). */
  public static final String SERVER_SHUTDOWNS = "tickstream.ingest.server.shutdowns";
  /** Counter, tag {@code reason}: frames or ticks not sent (invalid-json, not-a-tick, missing-field, invalid-field, oversized, duplicate, conflated, delisted, kafka-error, record-overflow). */
  public static final String DROPS = "tickstream.ingest.drops";
  /** Gauge, tag {@code state}: connections by state (connecting, streaming, replacing). */
  public static final String CONNECTIONS = "tickstream.ingest.connections";
  /** Gauge: symbols subscribed. */
  public static final String SYMBOLS = "tickstream.ingest.symbols";
  /** Gauge: ticks waiting for the producer (at most one per symbol). */
  public static final String PENDING = "tickstream.ingest.pending";
  /** Counter: ticks published on the express lane ({@code ingest.express}), beside Kafka. */
  public static final String EXPRESS_TICKS = "tickstream.ingest.express.ticks";
  /** Counter: express-lane event-bus messages published (one per chunk per event-loop turn with ticks). */
  public static final String EXPRESS_MESSAGES = "tickstream.ingest.express.messages";
  /** Gauge: 1 while every chunk is streaming, else 0. */
  public static final String READY = "tickstream.ingest.ready";

  private IngestMetrics() {
  }
}
