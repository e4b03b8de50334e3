package io.tickstream.ingest.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which chunks this ingest node holds, and how they move between nodes without a silent symbol.
 *
 * <p><b>Who should hold a chunk.</b> Every node computes the same answer: {@link RendezvousHash#assign} of the
 * chunks' names ({@link ChunkLayout}) over the live, active ingest nodes ({@link IngestMembers}),
 * {@code ingest.replicas} of them per chunk, no node more than its fair share. A node joining takes a fair share; a
 * node leaving or dying loses all of its chunks, spread over the rest. Liveness is Hazelcast membership, so a killed node's chunks move as soon as Hazelcast removes it.
 *
 * <p><b>How a chunk moves (make-before-break).</b> The node that should hold a chunk and does not deploys it:
 * the connection opens and streams, but its sender is held (each symbol's newest tick waits). Once it streams,
 * the node asks every other live ingest node that is not itself a rightful holder to let go, on the event bus
 * address {@link #RELEASE}{@code .<node>}. A node that writes the chunk and agrees it should not stops writing,
 * waits until Kafka has answered for its records in flight, replies with the last {@code u} it sent per symbol,
 * then closes its connection. The new holder starts writing above those {@code u}s. So the old owner's stream runs
 * until the new one is live, one node writes a chunk at a time, and each symbol's {@code u} keeps increasing in
 * the topic across owners. A node that does not agree yet (its view of the members is behind) says no, and is
 * asked again a moment later; meanwhile it keeps writing. A node that should no longer hold a chunk never stops on
 * its own: it waits to be asked, so a successor that cannot connect leaves the old owner writing.
 *
 * <p><b>Split brain.</b> When the network between ingest nodes is cut, each side removes the other's members
 * and takes their chunks as after a death: every chunk is written on both sides (duplicates in Kafka, which the
 * fanout drops by {@code u}). When it heals and Hazelcast merges the sides, a rightful holder that is writing asks
 * every node that came back into its view to let go, the same request as a handover, so each chunk has one writer
 * again. It also asks again every {@link #CLEARED_MILLIS} the nodes that said they do not write it: a merging node's
 * view can miss the others for one read and take their chunks while theirs never missed it.
 *
 * <p><b>Death.</b> When Hazelcast removes a member, its chunks become the survivors' by the same computation;
 * nobody is left to ask, so they write as soon as they stream. Records of the dead node still in flight are
 * not waited for (they were sent before its death, the new ones after a new connection opened).
 *
 * <p><b>Leaving.</b> {@link #leave()} marks this node {@code leaving}: the others take its chunks as above
 * and ask it to let go; it waits for that up to {@code ingest.handover-timeout}, then closes what is left.
 *
 * <p><b>Replicas.</b> With {@code ingest.replicas} = 2 two nodes write each chunk (hot-hot): the topic holds every
 * tick twice, and consumers drop a {@code u} they have seen (the fanout does).
 *
 * <p>Threading: create, call and complete on the ingest's context, except the read-only views marked "any thread"
 * (gauges, readiness); the event-bus and membership callbacks run there too. The chunks run on their own contexts.
 */
public final class ChunkOwnership {

  private static final Logger log = LoggerFactory.getLogger(ChunkOwnership.class);

  /** Set false in a release reply made up for a node whose address had no handler. */
  private static final String REACHABLE = "reachable";
  /** Event bus address prefix of a node's release requests: {@code {"chunk":"slot/K"}}. */
  static final String RELEASE = "tickstream.ingest.chunk-release";
  /** How often membership is re-read and every chunk's state advanced. */
  static final long RECONCILE_MILLIS = 250;
  /** How long a release request may take: the holder waits for Kafka to answer for its in-flight records. */
  static final long REQUEST_TIMEOUT_MILLIS = 10_000;
  /**
   * How long a node's "I do not write this chunk" stays believed. Bounds how long a chunk can have two writers
   * after views that disagreed for a moment; costs one release request per chunk and other node this often.
   */
  static final long CLEARED_MILLIS = 2_000;
  /** Longest wait for a chunk's in-flight records when letting it go. */
  static final long DRAIN_TIMEOUT_MILLIS = 5_000;

  enum State {
    /** Deployed, sender held, not asked yet (or asked and refused). */
    STARTING,
    /** Release requests on their way. */
    ASKING,
    /** Ticks go to Kafka. */
    WRITING,
    /** Letting go: no more writing, waiting for in-flight records, then undeployed. */
    STOPPING
  }

  private static final class Held {
    final String key;
    final ChunkDeployer.Deployed deployed;
    State state = State.STARTING;
    long nextAskNanos;
    /**
     * While writing as a rightful holder: the other live nodes known not to write this chunk (they answered a
     * release request), with when they answered ({@link System#nanoTime()}). A node that drops out of the view is
     * forgotten, so when it comes back (a healed split brain, where it wrote this chunk too) it is asked to let go.
     * An answer is also forgotten after {@link #CLEARED_MILLIS}: a node whose own view flickered (one read of the
     * registry missed this node, as seen mid-merge after a split brain) takes the chunk and writes it as if alone,
     * while this node's view never lost it; only asking again finds that.
     */
    final Map<String, Long> cleared = new HashMap<>();
    boolean sweeping;

    Held(String key, ChunkDeployer.Deployed deployed) {
      this.key = key;
      this.deployed = deployed;
    }

    SymbolChunk chunk() {
      return deployed.chunk();
    }
  }

  private final Vertx vertx;
  private final io.vertx.core.Context context;
  private final ChunkDeployer deployer;
  private final int replicas;
  private final long handoverTimeoutMillis;
  private final IngestMembers members;
  private final Map<String, Held> held = new java.util.concurrent.ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> releases;
  /** Written on the ingest's context, read by gauges on others. */
  private volatile ChunkLayout layout;
  /** {@link #assignment()}'s cache: the layout and active nodes it was computed for. On the ingest's context. */
  private ChunkLayout assignedLayout;
  private List<String> assignedTo = List.of();
  private Map<String, List<String>> assigned = Map.of();
  private volatile IngestMembers.View view;
  private boolean leaving;
  private Promise<Void> handedOver;
  private boolean closed;
  private boolean reading;
  private long timer = -1;

  public ChunkOwnership(Vertx vertx, ChunkDeployer deployer, int replicas, long handoverTimeoutMillis) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.deployer = deployer;
    this.replicas = replicas;
    this.handoverTimeoutMillis = handoverTimeoutMillis;
    this.members = new IngestMembers(vertx, this::refresh);
    this.view = new IngestMembers.View(List.of(members.self()), List.of(members.self()));
  }

  /** Joins the ingest nodes and starts answering release requests. */
  public Future<Void> start() {
    releases = vertx.eventBus().consumer(RELEASE + "." + members.self(), this::onReleaseRequest);
    return releases.completion()
        .compose(v -> members.join())
        .compose(v -> members.read())
        .onSuccess(v -> {
          view = v;
          timer = vertx.setPeriodic(RECONCILE_MILLIS, t -> refresh());
        })
        .mapEmpty();
  }

  /** This node's id in the cluster. */
  public String nodeId() {
    return members.self();
  }

  /**
   * The chunks as formed from the latest symbol list; held chunks get their new streams live. A stream the
   * exchange no longer lists (in no chunk of {@code next}) is delisted: its chunk writes the symbol's tombstone.
   * One that only moved to another chunk is removed without one: a tombstone says "gone from the exchange", never
   * "no longer this node's".
   */
  public void layout(ChunkLayout next) {
    layout = next;
    Set<String> listed = new HashSet<>();
    next.chunks().values().forEach(listed::addAll);
    for (Held h : held.values()) {
      List<String> streams = next.chunks().get(h.key);
      if (streams != null) {
        h.chunk().streams().onSuccess(current -> {
          Set<String> now = new HashSet<>(current);
          List<String> added = streams.stream().filter(s -> !now.contains(s)).toList();
          Set<String> wanted = new HashSet<>(streams);
          List<String> delisted = current.stream().filter(s -> !wanted.contains(s) && !listed.contains(s)).toList();
          List<String> moved = current.stream().filter(s -> !wanted.contains(s) && listed.contains(s)).toList();
          if (!added.isEmpty()) {
            h.chunk().add(added);
          }
          if (!delisted.isEmpty()) {
            h.chunk().delist(delisted);
          }
          if (!moved.isEmpty()) {
            h.chunk().remove(moved);
          }
        });
      }
    }
    reconcile();
  }

  /** Re-reads the members, then advances every chunk. */
  private void refresh() {
    if (closed || reading) {
      return;
    }
    reading = true;
    members.read().onComplete(ar -> {
      reading = false;
      if (ar.succeeded()) {
        view = ar.result();
      }
      reconcile();
    });
  }

  /** The chunks this node should hold now. */
  private Set<String> rightful() {
    Set<String> mine = new HashSet<>();
    if (layout == null || leaving) {
      return mine;
    }
    assignment().forEach((key, holders) -> {
      if (holders.contains(members.self())) {
        mine.add(key);
      }
    });
    return mine;
  }

  /** Who should hold {@code key} by the current view: {@link RendezvousHash#assign} over the active nodes. */
  private List<String> holders(String key) {
    return assignment().getOrDefault(key, List.of());
  }

  /** Every chunk's holders by the current layout and view; recomputed only when either changed. */
  private Map<String, List<String>> assignment() {
    List<String> active = withSelf(view.active());
    if (assignedLayout != layout || !active.equals(assignedTo)) {
      assignedLayout = layout;
      assignedTo = active;
      assigned = layout == null ? Map.of() : RendezvousHash.assign(layout.chunks().keySet(), active, replicas);
    }
    return assigned;
  }

  private void reconcile() {
    if (closed || layout == null) {
      return;
    }
    Set<String> mine = rightful();
    for (String key : mine) {
      if (!held.containsKey(key)) {
        log.info("Chunk {}: taking it ({} streams)", key, layout.chunks().get(key).size());
        Held h = new Held(key, deployer.deploy(key, layout.chunks().get(key), this::stopBarrier));
        held.put(key, h);
        h.deployed.deployment().onComplete(ar -> context.runOnContext(v -> reconcile()));
      }
    }
    boolean allMineWriting = mine.stream().allMatch(k -> held.get(k).state == State.WRITING);
    long now = System.nanoTime();
    for (Held h : List.copyOf(held.values())) {
      boolean rightful = mine.contains(h.key);
      if (h.state == State.STARTING && !rightful) {
        // Never wrote: nothing to hand over.
        drop(h, "no longer this node's");
      } else if (h.state == State.STARTING && now >= h.nextAskNanos && h.deployed.deployment().succeeded()
          && (h.chunk().isStreaming() || alone())) {
        // Alone, nobody can be writing the chunk: write from the first tick, as a single ingest always did.
        ask(h);
      } else if (h.state == State.WRITING && rightful) {
        sweep(h, now);
      } else if (h.state == State.WRITING && !rightful && !layout.chunks().containsKey(h.key) && allMineWriting) {
        // Chunks were formed anew (K changed): the old one goes once the new ones write.
        letGo(h, "chunks formed anew").onComplete(ar -> drop(h, "replaced by the new chunks"));
      }
    }
  }

  /**
   * Asks the live nodes not known to be silent on {@code h}'s chunk to let go of it. After a split brain heals both
   * sides write the chunks they took over while apart; the node that should not (by the merged view) waits to be
   * asked, as in any handover, and this is the asking. Nodes that joined normally answer "not an owner" once.
   */
  private void sweep(Held h, long now) {
    h.cleared.keySet().retainAll(view.all());
    h.cleared.values().removeIf(at -> now - at > CLEARED_MILLIS * 1_000_000);
    if (h.sweeping || now < h.nextAskNanos) {
      return;
    }
    List<String> holders = holders(h.key);
    List<String> unknown = view.all().stream()
        .filter(n -> !n.equals(members.self()) && !holders.contains(n) && !h.cleared.containsKey(n)).toList();
    if (unknown.isEmpty()) {
      return;
    }
    h.sweeping = true;
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (String node : unknown) {
      replies.add(requestRelease(node, h.key).onSuccess(reply -> {
        if (!reply.getBoolean(REACHABLE, true)) {
          // A live member without its release address (yet): asked again at the next sweep, never taken as silent.
          return;
        }
        if (!reply.getBoolean("owner", false) || reply.getBoolean("released", false)) {
          if (reply.getBoolean("released", false)) {
            log.info("Chunk {}: {} wrote it too (split brain healed?) and let go", h.key, node);
          }
          h.cleared.put(node, System.nanoTime());
        }
      }));
    }
    Future.join(replies).onComplete(ar -> {
      h.sweeping = false;
      // A refusal (its view is behind) is asked again shortly; it keeps writing meanwhile.
      h.nextAskNanos = System.nanoTime() + RECONCILE_MILLIS * 1_000_000;
    });
  }

  private Future<JsonObject> requestRelease(String node, String key) {
    return vertx.eventBus().<JsonObject>request(RELEASE + "." + node, new JsonObject().put("chunk", key),
            new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MILLIS))
        .map(Message::body)
        .recover(e -> e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
            // Gone, or never held anything: nobody to wait for now. But after a split brain heals, a member the view
            // lists may not have its address back in the cluster's registry yet (Hazelcast kept the other side's):
            // marked unreachable, so a sweep asks it again rather than taking it for silent for good.
            ? Future.succeededFuture(new JsonObject().put("owner", false).put(REACHABLE, false))
            : Future.succeededFuture(new JsonObject().put("owner", true).put("released", false)));
  }

  private boolean alone() {
    return view.all().stream().allMatch(n -> n.equals(members.self()));
  }

  /** Asks every other live ingest node that should not hold {@code h}'s chunk to let go of it. */
  private void ask(Held h) {
    h.state = State.ASKING;
    List<String> holders = holders(h.key);
    List<String> others = view.all().stream().filter(n -> !n.equals(members.self()) && !holders.contains(n)).toList();
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (String node : others) {
      replies.add(requestRelease(node, h.key));
    }
    Future.join(replies).onComplete(ar -> {
      if (held.get(h.key) != h || h.state != State.ASKING) {
        return;
      }
      Map<String, Long> floor = new HashMap<>();
      boolean refused = false;
      boolean released = false;
      for (int i = 0; i < replies.size(); i++) {
        JsonObject reply = replies.get(i).result();
        if (reply.getBoolean(REACHABLE, true) && (!reply.getBoolean("owner", false) || reply.getBoolean("released", false))) {
          h.cleared.put(others.get(i), System.nanoTime());
        }
        if (reply.getBoolean("owner", false)) {
          if (reply.getBoolean("released", false)) {
            released = true;
          } else {
            refused = true;
          }
        }
        JsonObject last = reply.getJsonObject("floor");
        if (last != null) {
          last.forEach(e -> floor.merge(e.getKey(), ((Number) e.getValue()).longValue(), Math::max));
        }
      }
      // A release from one node and a refusal from another (views differ): write anyway, the released one has
      // stopped and silence is worse than a short double write.
      if (refused && !released) {
        // The holder does not agree yet (its member view is behind): ask again shortly, it keeps writing meanwhile.
        h.state = State.STARTING;
        h.nextAskNanos = System.nanoTime() + RECONCILE_MILLIS * 1_000_000;
        return;
      }
      h.state = State.WRITING;
      h.chunk().startWriting(floor);
      log.info("Chunk {}: writing{}", h.key, floor.isEmpty() ? "" : " after the previous owner let go");
    });
  }

  private List<String> withSelf(List<String> active) {
    if (leaving || active.contains(members.self())) {
      return active;
    }
    List<String> with = new ArrayList<>(active);
    with.add(members.self());
    return with;
  }

  private void onReleaseRequest(Message<JsonObject> msg) {
    String key = msg.body().getString("chunk");
    Held h = held.get(key);
    if (h == null || h.state == State.STOPPING) {
      msg.reply(new JsonObject().put("owner", false));
      return;
    }
    if (rightful().contains(key) || h.state == State.ASKING) {
      // Still ours as far as this node can tell, or we are taking it ourselves: the asker tries again later.
      msg.reply(new JsonObject().put("owner", true).put("released", false));
      return;
    }
    if (h.state == State.STARTING) {
      drop(h, "another node takes it");
      msg.reply(new JsonObject().put("owner", false));
      return;
    }
    letGo(h, "handing it over").onComplete(ar -> {
      Map<String, Long> floor = ar.succeeded() ? ar.result() : Map.of();
      msg.reply(new JsonObject().put("owner", true).put("released", true).put("floor", new JsonObject(new HashMap<>(floor))));
      drop(h, "handed over");
    });
  }

  /** Stops writing {@code h} and waits for its records in flight: the floor for the next owner. */
  private Future<Map<String, Long>> letGo(Held h, String why) {
    h.state = State.STOPPING;
    log.info("Chunk {}: letting go ({})", h.key, why);
    return h.chunk().stopWriting(DRAIN_TIMEOUT_MILLIS);
  }

  private Future<Void> drop(Held h, String why) {
    if (held.get(h.key) == h) {
      held.remove(h.key);
    }
    h.state = State.STOPPING;
    log.debug("Chunk {}: closed ({})", h.key, why);
    return deployer.undeploy(h.deployed);
  }

  /**
   * Hands every chunk to the other nodes, then closes what nobody took within {@code ingest.handover-timeout}
   * (or at once, with no other active ingest node).
   */
  public Future<Void> leave() {
    return handOver().compose(v -> close());
  }

  /** Starts leaving once; completes when every chunk was handed over, or the timeout passed. */
  private Future<Void> handOver() {
    if (handedOver == null) {
      leaving = true;
      handedOver = Promise.promise();
      long deadline = System.nanoTime() + handoverTimeoutMillis * 1_000_000;
      members.leave().onComplete(ar -> awaitHandover(deadline, handedOver));
    }
    return handedOver.future();
  }

  /**
   * What a chunk being stopped by Vert.x (not by us) waits for: Vert.x undeploys the ingest's chunk verticles
   * before the ingest itself, so the first such stop starts the handover. Called on the chunk's context.
   */
  private Future<Void> stopBarrier() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> handOver().onComplete(done));
    return done.future();
  }

  private void awaitHandover(long deadlineNanos, Promise<Void> done) {
    // A chunk letting go (STOPPING, still held) has not replied to its successor yet: closing it now would leave
    // the successor waiting for a reply that never comes (REQUEST_TIMEOUT_MILLIS of silence), and without a floor.
    boolean writing = held.values().stream().anyMatch(h -> h.state == State.WRITING || h.state == State.STOPPING);
    boolean successors = view.active().stream().anyMatch(n -> !n.equals(members.self()));
    if (!writing || !successors || System.nanoTime() >= deadlineNanos) {
      if (writing && successors) {
        log.warn("Chunks not taken over within the handover timeout: {}", held.keySet());
      }
      done.complete();
    } else {
      vertx.setTimer(50, t -> awaitHandover(deadlineNanos, done));
    }
  }

  /** Closes every chunk and leaves the registry. */
  private Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    List<Future<?>> undeploys = new ArrayList<>();
    for (Held h : List.copyOf(held.values())) {
      undeploys.add(drop(h, "stopping"));
    }
    return Future.join(undeploys).transform(x -> members.close())
        .transform(x -> releases == null ? Future.succeededFuture() : releases.unregister());
  }

  /** The chunks on this node, whatever their state. Any thread. */
  public Collection<SymbolChunk> chunks() {
    return held.values().stream().map(Held::chunk).sorted(java.util.Comparator.comparing(SymbolChunk::key)).toList();
  }

  /** Streams in the chunks this node writes. Any thread. */
  public int writingStreamCount() {
    return held.values().stream().filter(h -> h.state == State.WRITING && layout != null && layout.chunks().containsKey(h.key))
        .mapToInt(h -> layout.chunks().get(h.key).size()).sum();
  }

  /** {@code [{"chunk":"0/2","state":"writing","streams":740,"streaming":true}, ...]}: what {@code /cluster} shows. */
  public JsonArray describe() {
    JsonArray out = new JsonArray();
    held.values().stream().sorted(java.util.Comparator.comparing((Held h) -> h.key)).forEach(h -> out.add(new JsonObject().put("chunk", h.key).put("state", h.state.name().toLowerCase())
        .put("streams", layout == null || !layout.chunks().containsKey(h.key) ? 0 : layout.chunks().get(h.key).size())
        .put("streaming", h.chunk().isStreaming())));
    return out;
  }

  /** Keys of the chunks this node writes. Any thread. */
  public List<String> writing() {
    return held.values().stream().filter(h -> h.state == State.WRITING).map(h -> h.key).sorted().toList();
  }
}
