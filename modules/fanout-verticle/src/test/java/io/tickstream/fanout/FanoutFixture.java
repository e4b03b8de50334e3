package io.tickstream.fanout;


import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;



/**
 * A fanout node deployed in-process on a free port, fed by a plain Kafka producer on a topic of its own,
 * on the shared test broker. Closing it undeploys the verticle and closes Vert.x.
 */
public final class FanoutFixture implements AutoCloseable {

  private static final AtomicInteger TOPICS = new AtomicInteger();

  public final Vertx vertx;
  public final String topic;
  public final KafkaProducer<String, byte[]> producer;
  private final BookTickerEncoder encoder = new BookTickerEncoder();
  public FanoutVerticle verticle;
  public String deploymentId;
  private final JsonObject config;

  private FanoutFixture(String name, JsonObject overrides, Vertx vertx) {
    this(name, overrides, vertx, KafkaBrokerExtension.bootstrapServers());
  }

  private FanoutFixture(String name, JsonObject overrides, Vertx vertx, String servers) {
    this.vertx = vertx;
    this.topic = "fanout-" + name + "-" + TOPICS.incrementAndGet() + "-" + System.nanoTime();
    // One batch in flight keeps order across retries without the idempotent producer, whose sequence
    // numbers went out of order when the first batches met a partition whose leader was not elected yet.
    this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", servers, "linger.ms", 0, "acks", "all",
        "enable.idempotence", false, "max.in.flight.requests.per.connection", 1),
        new StringSerializer(), new ByteArraySerializer());
    this.config = new JsonObject()
        .put("kafka.bootstrap-servers", servers)
        .put("topic.name", topic)
        .put("topic.partitions", 3)
        .put("fanout.port", 0)
        .put("fanout.admin-port", 0)
        .put("fanout.instances", 2)
        .mergeIn(overrides);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", servers))) {
      admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 3, (short) 1)
          .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
        producer.partitionsFor(topic).stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
  }

  /** A fixture whose topic exists but whose node is not deployed yet: produce first, then {@link #deploy()}. */
  public static FanoutFixture create(String name, JsonObject overrides) {
    return new FanoutFixture(name, overrides, Vertx.vertx());
  }

  /** Like {@link #create(String, JsonObject)} on a Vert.x of the caller's (e.g. a clustered one), closed with the fixture. */
  public static FanoutFixture create(String name, JsonObject overrides, Vertx vertx) {
    return new FanoutFixture(name, overrides, vertx);
  }

  /** Like {@link #create(String, JsonObject)} on a broker of the caller's (e.g. one the test stops and restarts). */
  public static FanoutFixture create(String name, JsonObject overrides, String bootstrapServers) {
    return new FanoutFixture(name, overrides, Vertx.vertx(), bootstrapServers);
  }

  /** A deployed node, ready. */
  public static FanoutFixture started(String name, JsonObject overrides) {
    FanoutFixture f = create(name, overrides);
    f.deploy();
    return f;
  }

  public FanoutFixture deploy() {
    verticle = new FanoutVerticle();
    deploymentId = await(vertx.deployVerticle(verticle, new io.vertx.core.DeploymentOptions().setConfig(config)));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(verticle::ready);
    return this;
  }

  /** The deployed node's internals, for tests in {@code impl}. */
  public io.tickstream.fanout.impl.server.FanoutNode node() {
    return verticle.node();
  }

  public int port() {
    return verticle.actualPort();
  }

  /** The node's private admin port (health, metrics, cluster). */
  public int adminPort() {
    return verticle.adminPort();
  }

  /** Status and body of a GET of an admin endpoint ({@code /health/ready}, {@code /metrics}, {@code /cluster}). */
  public HttpResult admin(String path) {
    return get(vertx, adminPort(), path, false);
  }

  public void undeploy() {
    await(vertx.undeploy(deploymentId));
  }

  public static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public static BookTicker tick(String symbol, long u) {
    return new BookTicker(u, symbol, "25.35190000", "31.21000000", "25.36520000", "40.66000000",
        1_764_180_000_000_000L + u);
  }

  /** Produces a tick and waits for the broker's acknowledgement. */
  public void produce(String symbol, long u) {
    produce(tick(symbol, u));
  }

  public void produce(BookTicker t) {
    try {
      producer.send(new ProducerRecord<>(topic, t.symbol(), encoder.recordValue(t))).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Produces without waiting, then flushes once. */
  public void produceAll(String symbol, long fromU, long toU) {
    for (long u = fromU; u <= toU; u++) {
      BookTicker t = tick(symbol, u);
      producer.send(new ProducerRecord<>(topic, t.symbol(), encoder.recordValue(t)));
    }
    producer.flush();
  }

  public TestClient connect(String uri) {
    WebSocketClient client = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    return await(TestClient.connect(client, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port()).setURI(uri)));
  }

  /** Status code of a plain GET (or of a refused WebSocket upgrade). */
  public HttpResult get(String uri, boolean upgrade) {
    return get(vertx, port(), uri, upgrade);
  }

  /** Status and body of a plain GET (or of a refused WebSocket upgrade) to {@code port}. */
  public static HttpResult get(Vertx vertx, int port, String uri, boolean upgrade) {
    HttpClient http = vertx.createHttpClient();
    try {
      return await(http.request(HttpMethod.GET, port, "127.0.0.1", uri).compose(req -> {
        if (upgrade) {
          req.putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade")
              .putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").putHeader("Sec-WebSocket-Version", "13");
        }
        return req.send().compose(resp -> resp.body().map(b -> new HttpResult(resp.statusCode(), b.toString())));
      }));
    } finally {
      http.close();
    }
  }

  public record HttpResult(int status, String body) {
  }

  /** The current value of a gauge or counter of this node, by its {@link FanoutMetrics} name. */
  public double meter(String name) {
    return verticle.meterRegistry().get(name).meter().measure().iterator().next().getValue();
  }

  /** The current value of the meter {@code name} with tag {@code key=value} (one of several of that name). */
  public double meter(String name, String key, String value) {
    return verticle.meterRegistry().get(name).tag(key, value).meter().measure().iterator().next().getValue();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    await(vertx.close());
  }
}
