package io.tickstream.fanout.impl.source;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerDecoder;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.common.tick.MalformedTickException;
import io.tickstream.common.tick.RecordPeek;
import io.tickstream.fanout.impl.FanoutConfig;
import io.tickstream.fanout.impl.metrics.NodeMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The node's one Kafka consumer: group-less, assigned every partition of the topic, on a dedicated thread.
 *
 * <p>Why the plain {@link KafkaConsumer} and not the Vert.x wrapper: the wrapper hands records to a context at
 * most ten per task, runs assign/seek through its own poll loop (slow with kafka-clients 4.x) and calls
 * {@code committed()}, which hangs with kafka-clients 4.x. Here one thread polls, decodes, de-duplicates,
 * stamps {@code ft} and encodes, then hands each poll's ticks as one batch to every dispatcher: one task per
 * event loop per poll, whatever the number of records or connections.
 *
 * <p>Start-up: {@code partitionsFor} → {@code assign(all)} → {@code seekToBeginning}, and the end offsets
 * captured then. Until every partition's position reaches its captured end offset, ticks only rebuild the
 * per-symbol latest map (the compacted topic holds every symbol's last tick, however old); once caught up,
 * the whole map goes to the dispatchers as the snapshot batch and {@link #ready()} completes.
 *
 * <h2>Recovery</h2>
 * <ul>
 *   <li><b>Kafka unreachable</b>: nothing fails; the consumer keeps polling and reconnects by itself. Every
 *       {@link #caughtUpCheckMillis} it asks for the end offsets; while it gets them and has read up to them it
 *       records the moment ({@link NodeMetrics#caughtUpAgeMillis()}), which with the newest {@code pt} decides
 *       readiness ({@code fanout.max-data-age}).</li>
 *   <li><b>The consumer fails</b> (any throwable out of the poll loop): the ticks accepted before the failure are
 *       still published, the failure is logged and counted, and a new consumer is started after a back-off
 *       (100 ms doubling to 10 s). It keeps the per-symbol state and resumes each partition after the last record
 *       handled, so clients see no gap and no repeat. A record that fails twice in a row is skipped (counted as
 *       malformed). After {@code fanout.consumer-max-failures} failures in a row without a successful poll between
 *       them (Kafka's retriable errors, an outage, do not count), {@link #onGiveUp} runs.</li>
 *   <li><b>Partitions added</b>: the consumer's metadata is refreshed every {@code fanout.partition-check-interval}
 *       ({@code metadata.max.age.ms}); the cached partition list is compared with the assignment once a second and
 *       new partitions are assigned from their beginning.</li>
 *   <li><b>{@code u} going backwards for good</b>: see {@link SymbolState}.</li>
 * </ul>
 *
 * <p>Threading: everything but {@link #start}, {@link #close}, {@link #following} and {@link #injectFault} runs
 * on the consumer thread; the per-symbol map is that thread's alone. Hot path per record: the decoder's strings
 * and tick, one {@link EncodedTick} with two frames, two primitive stores of the position; nothing per connection.
 */
public final class TickSource implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TickSource.class);

  static final long INITIAL_BACKOFF_MILLIS = 100;
  static final long MAX_BACKOFF_MILLIS = 10_000;
  /** How often the cached partition list is compared with the assignment (a local lookup, no request). */
  static final long PARTITION_LOOKUP_MILLIS = 1_000;
  /** Bounds of the interval of the end-offset check that confirms the consumer follows the live end. */
  static final long MIN_CAUGHT_UP_CHECK_MILLIS = 200;
  static final long MAX_CAUGHT_UP_CHECK_MILLIS = 5_000;
  /** At most one log line per symbol-rebase burst in this period. */
  static final long REBASE_LOG_INTERVAL_MILLIS = 10_000;
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, Object> props;
  private final String topic;
  private final Duration pollTimeout;
  private final TickBatchSink sink;
  private final NodeMetrics metrics;
  private final long rebaseAfterMillis;
  private final int maxFailures;
  private final long caughtUpCheckMillis;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final Map<String, SymbolState> symbols = new HashMap<>();
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  /** Reads {@code u} from a live record's bytes, so a copy the express lane delivered first is never decoded. */
  private final RecordPeek peek = new RecordPeek();
  /** What this node handed to its loops, from Kafka and from the express lane ({@link ExpressReceiver}). */
  final NewestUpdateIds newest = new NewestUpdateIds();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile boolean gaveUp;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile Throwable injectedFault;
  private Thread thread;
  private Runnable onGiveUp = () -> { };

  // Consumer-thread state that survives a consumer restart.
  private final List<TopicPartition> partitions = new ArrayList<>();
  /** Next offset to read per partition number; -1: from the beginning. */
  private long[] next = new long[0];
  private boolean caughtUp;
  private Map<TopicPartition, Long> end;
  private int inFlightPartition = -1;
  private long inFlightOffset = -1;
  private int failedPartition = -1;
  private long failedOffset = -1;
  private long lastRebaseLogMillis;
  private long rebasesSinceLog;
  /** Newest {@code pt} among the late copies of the running poll: it still says how fresh the topic is. */
  private long lateNewestPt;

  /**
   * @param sink receives each batch of accepted ticks on the consumer thread ({@link TickBatchSink#publish}, the node's); its
   *     configuration gives the recovery settings
   */
  public TickSource(Map<String, Object> clientProps, String topic, Duration pollTimeout,
                    TickBatchSink sink, NodeMetrics metrics) {
    FanoutConfig config = sink.config();
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) Math.min(Integer.MAX_VALUE, config.partitionCheckIntervalMillis()));
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.props = p;
    this.topic = topic;
    this.pollTimeout = pollTimeout;
    this.sink = sink;
    this.metrics = metrics;
    this.rebaseAfterMillis = config.uRebaseAfterMillis();
    this.maxFailures = config.consumerMaxFailures();
    long maxAge = config.maxDataAgeMillis() > 0 ? config.maxDataAgeMillis() : MAX_CAUGHT_UP_CHECK_MILLIS * 4;
    this.caughtUpCheckMillis = Math.clamp(maxAge / 4, MIN_CAUGHT_UP_CHECK_MILLIS, MAX_CAUGHT_UP_CHECK_MILLIS);
  }

  /** Completes once the snapshot is rebuilt and handed to the dispatchers; fails if the source gives up first. */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  /** True once the snapshot is published, until the source is closed or gives up (also while it restarts). */
  public boolean following() {
    return ready.isDone() && !ready.isCompletedExceptionally() && running && !gaveUp;
  }

  /** True once restarts kept failing: the node is dead ({@code /health/live} answers 503). */
  public boolean gaveUp() {
    return gaveUp;
  }

  /** Runs once on the consumer thread when restarts keep failing ({@code fanout.consumer-max-failures}); set before {@link #start}. */
  public void onGiveUp(Runnable action) {
    this.onGiveUp = action;
  }

  public void start() {
    thread = new Thread(this::run, "tickstream-fanout-kafka");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Fault injection for tests: the next turn of the poll loop throws {@code fault}, as a bug or an {@link Error}
   * would. Any thread.
   */
  void injectFault(Throwable fault) {
    if (!(fault instanceof Error) && !(fault instanceof RuntimeException)) {
      throw new IllegalArgumentException("unchecked throwables only", fault);
    }
    injectedFault = fault;
  }

  /** The supervisor: runs consumers one after the other until closed, with back-off after a failure. */
  private void run() {
    int failures = 0;
    long backoff = INITIAL_BACKOFF_MILLIS;
    while (running) {
      boolean[] polled = {false};
      try {
        session(polled);
        return;
      } catch (WakeupException e) {
        if (!running) {
          return; // close() woke the poll: normal shutdown.
        }
        log.error("Kafka consumer of {} woken up unexpectedly; restarting it", topic, e);
      } catch (Throwable e) {
        if (!running) {
          return;
        }
        blameRecord();
        boolean outage = e instanceof RetriableException;
        if (polled[0]) {
          failures = 0;
          backoff = INITIAL_BACKOFF_MILLIS;
        }
        if (!outage) {
          failures++;
        }
        if (maxFailures > 0 && failures >= maxFailures) {
          gaveUp = true;
          log.error("Kafka consumer of {} failed {} times in a row with no successful poll between: giving up", topic,
              failures, e);
          ready.completeExceptionally(e);
          onGiveUp.run();
          return;
        }
        log.error("Kafka consumer of {} failed ({}{} in a row); restarting it in {} ms", topic,
            outage ? "Kafka unreachable, " : "", failures, backoff, e);
      } finally {
        consumer = null;
      }
      try {
        if (closed.await(backoff, TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      metrics.consumerRestarts.increment();
    }
  }

  /**
   * The record being handled when the consumer failed is retried once by the next consumer; failing a second time
   * it is skipped, so one poison record cannot stop the node.
   */
  private void blameRecord() {
    int p = inFlightPartition;
    long o = inFlightOffset;
    inFlightPartition = -1;
    if (p < 0) {
      return;
    }
    if (p == failedPartition && o == failedOffset) {
      log.error("Skipping record {}-{}@{}: the consumer failed on it twice", topic, p, o);
      metrics.malformed.increment();
      next[p] = o + 1;
      failedPartition = -1;
    } else {
      failedPartition = p;
      failedOffset = o;
    }
  }

  /** One consumer's life: assign, resume, poll until closed or a throwable ends it. */
  private void session(boolean[] polled) {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      consumer = c;
      if (!running) {
        return;
      }
      if (partitions.isEmpty()) {
        discover(c, lookUpPartitions(c));
      } else {
        assignAndResume(c, List.of());
      }
      if (!caughtUp) {
        end = c.endOffsets(partitions, METADATA_TIMEOUT);
        log.info("Rebuilding the snapshot of {} from {} partitions up to {}", topic, partitions.size(), end);
        if (caughtUp(c)) {
          publishSnapshot();
        }
      }
      long nextLookup = System.currentTimeMillis() + PARTITION_LOOKUP_MILLIS;
      long nextCheck = System.currentTimeMillis() + caughtUpCheckMillis;
      while (running) {
        Throwable fault = injectedFault;
        if (fault != null) {
          injectedFault = null;
          if (fault instanceof Error err) {
            throw err;
          }
          throw (RuntimeException) fault;
        }
        ConsumerRecords<byte[], byte[]> records = c.poll(pollTimeout);
        handle(records);
        if (!caughtUp && caughtUp(c)) {
          publishSnapshot();
        }
        long now = System.currentTimeMillis();
        if (now >= nextLookup) {
          nextLookup = now + PARTITION_LOOKUP_MILLIS;
          List<PartitionInfo> known = c.partitionsFor(topic, METADATA_TIMEOUT); // cached metadata: no request
          if (known != null && known.size() > partitions.size()) {
            discover(c, known);
          }
        }
        if (caughtUp && now >= nextCheck) {
          confirmCaughtUp(c);
          nextCheck = System.currentTimeMillis() + caughtUpCheckMillis;
        }
        polled[0] = true;
      }
    }
  }

  /** The topic's partitions; waits (while running) for Kafka to answer, an outage at start is not a failure. */
  private List<PartitionInfo> lookUpPartitions(KafkaConsumer<byte[], byte[]> c) {
    while (running) {
      try {
        List<PartitionInfo> infos = c.partitionsFor(topic, METADATA_TIMEOUT);
        if (infos != null && !infos.isEmpty()) {
          return infos;
        }
        log.warn("Topic {} has no partitions yet; asking again", topic);
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        log.warn("No metadata of {} within {}: Kafka unreachable? Asking again", topic, METADATA_TIMEOUT);
      }
    }
    throw new WakeupException();
  }

  /** Assigns the partitions in {@code infos} not assigned yet, from their beginning; keeps the others' positions. */
  private void discover(KafkaConsumer<byte[], byte[]> c, List<PartitionInfo> infos) {
    List<TopicPartition> added = new ArrayList<>();
    for (PartitionInfo info : infos) {
      TopicPartition tp = new TopicPartition(topic, info.partition());
      if (!partitions.contains(tp)) {
        added.add(tp);
      }
    }
    if (added.isEmpty()) {
      return;
    }
    if (!partitions.isEmpty()) {
      log.info("Partitions added to {}: {}; reading them from the beginning", topic, added);
    }
    int size = next.length;
    for (TopicPartition tp : added) {
      size = Math.max(size, tp.partition() + 1);
    }
    if (size > next.length) {
      int from = next.length;
      next = Arrays.copyOf(next, size);
      Arrays.fill(next, from, size, -1L);
    }
    partitions.addAll(added);
    assignAndResume(c, added);
    metrics.partitions(partitions.size());
  }

  /**
   * Assigns {@link #partitions}. {@code added} empty: a fresh consumer, every partition resumes where the last one
   * stopped; otherwise only the added partitions are positioned (from their beginning), the others keep theirs.
   */
  private void assignAndResume(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> added) {
    c.assign(partitions);
    List<TopicPartition> fromBeginning = new ArrayList<>();
    for (TopicPartition tp : added.isEmpty() ? partitions : added) {
      long offset = next[tp.partition()];
      if (offset >= 0) {
        c.seek(tp, offset);
      } else {
        fromBeginning.add(tp);
      }
    }
    if (!fromBeginning.isEmpty()) {
      c.seekToBeginning(fromBeginning);
    }
  }

  private void handle(ConsumerRecords<byte[], byte[]> records) {
    if (records.isEmpty()) {
      return;
    }
    List<EncodedTick> batch = caughtUp ? new ArrayList<>(records.count()) : null;
    long ft = NodeMetrics.nowMicros();
    long newestPt = 0;
    try {
      for (ConsumerRecord<byte[], byte[]> r : records) {
        inFlightPartition = r.partition();
        inFlightOffset = r.offset();
        EncodedTick t = accept(r, ft);
        next[r.partition()] = r.offset() + 1;
        if (t != null) {
          if (!t.isDelisting()) {
            newestPt = Math.max(newestPt, t.tick.receiveTimeMicros());
          }
          if (batch != null) {
            batch.add(t);
          }
        }
      }
      inFlightPartition = -1;
      failedPartition = -1;
    } finally {
      // Also on a failure: what was accepted reaches the clients, the next consumer resumes after it.
      newestPt = Math.max(newestPt, lateNewestPt);
      lateNewestPt = 0;
      if (newestPt > metrics.newestPtMicros()) {
        metrics.newestPtMicros(newestPt);
      }
      if (batch != null && !batch.isEmpty()) {
        sink.publish(batch);
      }
    }
  }

  private void publishSnapshot() {
    caughtUp = true;
    log.info("Snapshot of {} symbols rebuilt; following the live end of {}", symbols.size(), topic);
    List<EncodedTick> snapshot = new ArrayList<>(symbols.size());
    for (SymbolState s : symbols.values()) {
      newest.rebase(s.symbol, s.u);
      if (s.latest == null) {
        continue;
      }
      s.latest = s.latest.encoded(encoder);
      if (!s.delisted) {
        snapshot.add(s.latest);
      }
    }
    sink.publish(snapshot);
    metrics.caughtUpAt(System.currentTimeMillis());
    ready.complete(null);
  }

  private boolean caughtUp(KafkaConsumer<byte[], byte[]> c) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey(), METADATA_TIMEOUT) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Asks the end offsets; read up to them, the node is as fresh as the topic at the moment of asking. Kafka
   * unreachable: the request times out within the check interval and nothing is recorded.
   */
  private void confirmCaughtUp(KafkaConsumer<byte[], byte[]> c) {
    long asked = System.currentTimeMillis();
    Duration timeout = Duration.ofMillis(Math.max(caughtUpCheckMillis, 1_000));
    try {
      Map<TopicPartition, Long> ends = c.endOffsets(partitions, timeout);
      for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
        if (c.position(e.getKey(), timeout) < e.getValue()) {
          return;
        }
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      log.debug("End offsets of {} not known: Kafka unreachable?", topic);
      return;
    }
    metrics.caughtUpAt(asked);
  }

  /**
   * Drops a {@code u} not above the symbol's last unless the symbol is re-based, and a copy the express lane has
   * already handed over; else decodes once, stamps and encodes. Null if dropped.
   *
   * <p>Once following the live end, both drops are decided on the {@code u} read from the record's bytes
   * ({@link RecordPeek}), before any decoding: with the express lane on, Kafka's copy is the late one for almost every
   * tick, and decoding and encoding it only to drop it was half the node's per-tick work. A value the peek cannot read
   * takes the full path, where the decoder judges it.
   */
  private EncodedTick accept(ConsumerRecord<byte[], byte[]> r, long ftMicros) {
    if (r.value() == null) {
      return delist(r);
    }
    if (caughtUp && peek.read(r.value(), 0, r.value().length)) {
      SymbolState s = symbols.get(peek.symbol);
      boolean behind = s != null && peek.updateId <= s.u;
      if (!behind && newest.isLate(peek.symbol, peek.updateId)) {
        lateCopy(s, peek.symbol, peek.updateId, peek.receiveTimeMicros);
        return null;
      }
      if (behind && !s.rebase(peek.updateId, ftMicros / 1_000, rebaseAfterMillis)) {
        metrics.staleDrops.increment();
        return null;
      }
    }
    BookTicker tick;
    try {
      tick = BookTickerDecoder.decode(r.value());
    } catch (MalformedTickException | RuntimeException e) {
      metrics.malformed.increment();
      log.debug("Skipping malformed record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      return null;
    }
    SymbolState s = symbols.get(tick.symbol());
    boolean rebase = false;
    if (s != null && tick.updateId() <= s.u) {
      if (!s.rebase(tick.updateId(), ftMicros / 1_000, rebaseAfterMillis)) {
        metrics.staleDrops.increment();
        return null;
      }
      onRebase(s.u, tick);
      rebase = true;
    }
    if (caughtUp) {
      if (rebase) {
        newest.rebase(tick.symbol(), tick.updateId());
      } else if (!newest.claim(tick.symbol(), tick.updateId())) {
        // The express lane's copy got there between the peek and now.
        lateCopy(s, tick.symbol(), tick.updateId(), tick.receiveTimeMicros());
        return null;
      }
    }
    // While the snapshot is rebuilt nothing is sent: only the tick each symbol ends with is encoded, at publication.
    EncodedTick t = caughtUp ? new EncodedTick(tick, ftMicros, encoder, rebase) : EncodedTick.unencoded(tick, ftMicros, rebase);
    // Live records only: during the snapshot rebuild the append time is the history's age, not a latency.
    if (caughtUp && r.timestampType() == TimestampType.LOG_APPEND_TIME) {
      metrics.recordAppendToFt(r.timestamp(), ftMicros);
    }
    if (s == null) {
      symbols.put(tick.symbol(), new SymbolState(tick.symbol(), t));
    } else {
      if (s.delisted) {
        log.info("{} listed again: u={} is above its last before the tombstone", tick.symbol(), tick.updateId());
      }
      s.accepted(t);
    }
    metrics.ticksIn.increment();
    return t;
  }

  /**
   * Kafka's copy of a tick the express lane handed over first: it moves the symbol's own sequence on (and lists it
   * again after a tombstone), counts, and goes no further.
   */
  private void lateCopy(SymbolState s, String symbol, long u, long ptMicros) {
    if (s == null) {
      symbols.put(symbol, s = new SymbolState(symbol, null));
    } else if (s.delisted) {
      log.info("{} listed again: u={} is above its last before the tombstone", symbol, u);
    }
    s.acceptedLate(u);
    lateNewestPt = Math.max(lateNewestPt, ptMicros);
    metrics.lateCopies.increment();
    metrics.ticksIn.increment();
  }

  /**
   * A tombstone: the ingest wrote it once the exchange stopped listing the symbol as TRADING. The symbol leaves the
   * snapshot and each loop's known symbols, but its state stays, so a late tick at or below its last {@code u} (a
   * second ingest node that had not refreshed yet) is dropped as stale; only a higher {@code u} (listed again), or
   * the re-basing rule, brings it back. Null if there is nothing to tell the loops.
   */
  private EncodedTick delist(ConsumerRecord<byte[], byte[]> r) {
    metrics.tombstones.increment();
    if (r.key() == null) {
      return null;
    }
    SymbolState s = symbols.get(new String(r.key(), StandardCharsets.UTF_8));
    if (s == null || s.delisted) {
      return null;
    }
    s.delisted = true;
    log.info("{} delisted (tombstone at {}-{}@{}); last u={}", s.symbol, r.topic(), r.partition(), r.offset(), s.u);
    return EncodedTick.delisting(s.symbol);
  }

  private void onRebase(long from, BookTicker to) {
    metrics.uRebases.increment();
    rebasesSinceLog++;
    long now = System.currentTimeMillis();
    if (now - lastRebaseLogMillis >= REBASE_LOG_INTERVAL_MILLIS) {
      log.warn("Re-based {} from u={} to u={}: its u stayed below the last accepted one for {} ms ({} re-based since "
          + "the last such line)", to.symbol(), from, to.updateId(), rebaseAfterMillis, rebasesSinceLog);
      lastRebaseLogMillis = now;
      rebasesSinceLog = 0;
    }
  }

  /**
   * A symbol's latest accepted tick and, while its {@code u} runs below that tick's, when that run started.
   *
   * <p>Re-basing: a record whose {@code u} is not above the latest is dropped, as a duplicate or an older copy
   * must be. If such records keep coming for {@code fanout.u-rebase-after} (node receive time) with no record
   * above the latest in between, and the lower sequence has itself moved forward (a {@code u} above the first
   * one of the run: a live source, not the same old copy repeated), the symbol is re-based onto it. Within the
   * bound a client never sees {@code u} go back; after it, the new sequence flows. Consumer thread only.
   */
  static final class SymbolState {
    final String symbol;
    /** The newest {@code u} accepted, by decoding it or as a {@link #lateCopy} of the express lane's. */
    long u;
    /** The newest tick decoded: the snapshot's; null if every tick of the symbol so far was a late copy. */
    EncodedTick latest;
    /** A tombstone came after {@link #latest}: not in the snapshot until a tick is accepted again. */
    boolean delisted;
    private long backSinceMillis = -1;
    private long backFirstU;

    SymbolState(String symbol, EncodedTick latest) {
      this.symbol = symbol;
      this.latest = latest;
      this.u = latest == null ? Long.MIN_VALUE : latest.updateId();
    }

    void accepted(EncodedTick t) {
      latest = t;
      acceptedLate(t.updateId());
    }

    void acceptedLate(long u) {
      this.u = u;
      delisted = false;
      backSinceMillis = -1;
    }

    /** A record with {@code u} not above the latest: true if it re-bases the symbol, false to drop it. */
    boolean rebase(long u, long nowMillis, long afterMillis) {
      if (backSinceMillis < 0) {
        backSinceMillis = nowMillis;
        backFirstU = u;
        return false;
      }
      return afterMillis > 0 && nowMillis - backSinceMillis >= afterMillis && u > backFirstU;
    }
  }

  @Override
  public void close() {
    running = false;
    closed.countDown();
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
