package io.tickstream.local;

import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * JDK 25's ahead-of-time cache as {@code ./tickstream} and the images use it, with the real fanout jar and a real
 * broker: one run records the cache ({@code -XX:AOTCacheOutput}) and writes it when SIGTERM stops it; the next run
 * maps it ({@code -XX:AOTCache}) and loads the fanout's classes from it; and a cache that is missing, truncated or
 * stale (its jar rebuilt since) never stops a start: the node still gets ready. (What the cache gains is measured by
 * {@code bench/startup.sh}, not here.) The runs use a copy of the fanout jar, so that making it stale touches no jar
 * of the build.
 */
@Tag("multiprocess")
class AotCacheProcessTest {

  private static final Path DIR = Path.of("target/aot-cache-test");
  private static EmbeddedKafkaBroker broker;
  private static Path cache;
  private static Path jar;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(DIR);
    jar = DIR.resolve("fanout.jar");
    Files.copy(RoleJars.jar("fanout-verticle"), jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    broker = EmbeddedKafkaBroker.builder().host("127.0.0.1").port(EmbeddedKafkaBroker.FREE_PORT).build().start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void stopProcesses() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aCacheRecordedByOneRunIsWrittenAtSigtermAndTheNextRunLoadsTheFanoutFromIt() throws Exception {
    Path recorded = recordedCache();
    Path classLog = DIR.resolve("class-load.log");
    Files.deleteIfExists(classLog);

    startFanoutAndAwaitReady("mapped", List.of("-XX:AOTCache=" + recorded, "-Xlog:class+load=info:file=" + classLog));

    assertThat(Files.readAllLines(classLog))
        .as("the fanout's own classes come from the cache")
        .anyMatch(l -> l.contains("io.tickstream.fanout.FanoutVerticle source: shared objects file"));
  }

  @Test
  void aMissingCacheDoesNotStopTheStart() throws Exception {
    Path log = startFanoutAndAwaitReady("missing", List.of("-XX:AOTCache=" + DIR.resolve("no-such.aot")));

    assertThat(RoleJars.output(log)).contains("[aot]");
  }

  @Test
  void aTruncatedCacheDoesNotStopTheStart() throws Exception {
    Path truncated = DIR.resolve("truncated.aot");
    byte[] whole = Files.readAllBytes(recordedCache());
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 3));

    Path log = startFanoutAndAwaitReady("truncated", List.of("-XX:AOTCache=" + truncated));

    assertThat(RoleJars.output(log)).contains("[aot]");
  }

  @Test
  void aCacheOfAJarRebuiltSinceIsStaleAndDoesNotStopTheStart() throws Exception {
    Path recorded = recordedCache();
    java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(jar);
    // What a rebuild does to the cache: the jar at the recorded path is not the one recorded (the JVM compares them).
    Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(built.toMillis() + 60_000));
    try {
      Path log = startFanoutAndAwaitReady("stale", List.of("-XX:AOTCache=" + recorded));

      assertThat(RoleJars.output(log)).contains("[aot]");
    } finally {
      Files.setLastModifiedTime(jar, built);
    }
  }

  /** Records the cache once for the class (a recording run is the slow part). */
  private Path recordedCache() throws Exception {
    synchronized (AotCacheProcessTest.class) {
      if (cache != null) {
        return cache;
      }
      Path out = DIR.resolve("fanout.aot");
      Files.deleteIfExists(out);
      startFanoutAndAwaitReady("record", List.of("-XX:AOTCacheOutput=" + out, "-Xlog:aot=error"));
      Process recording = processes.removeLast();
      recording.destroy(); // SIGTERM: the JVM writes the cache on its way out
      assertThat(recording.waitFor(180, TimeUnit.SECONDS)).as("the recording run exits after writing the cache").isTrue();
      assertThat(out).as("the cache written at exit").isNotEmptyFile();
      cache = out;
      return out;
    }
  }

  /** {@code java [flags] -jar fanout.jar} as the images start it (their GC and Unsafe flags); returns the log. */
  private Path startFanoutAndAwaitReady(String name, List<String> jvmFlags) throws Exception {
    int port = RoleJars.freePort();
    int adminPort = RoleJars.freePort();
    Path log = DIR.resolve(name + ".log");
    List<String> flags = new ArrayList<>(List.of("-XX:+UseG1GC", "-Xmx256m", "--sun-misc-unsafe-memory-access=allow"));
    flags.addAll(jvmFlags);
    processes.add(RoleJars.launch(jar, flags, Map.of("TICKSTREAM_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
        "TICKSTREAM_TOPIC_NAME", "aot-cache-" + name, "TICKSTREAM_TOPIC_PARTITIONS", "1",
        "TICKSTREAM_CLUSTER_ENABLED", "false", "TICKSTREAM_FANOUT_PORT", String.valueOf(port),
        "TICKSTREAM_FANOUT_ADMIN_PORT", String.valueOf(adminPort), "TICKSTREAM_FANOUT_INSTANCES", "1"), List.of(), log));
    Process p = processes.getLast();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
      assertThat(p.isAlive()).as(name + " run exited early:\n" + RoleJars.output(log)).isTrue();
      return ready(adminPort);
    });
    return log;
  }

  /** {@code /health/ready} on the node's admin port answers 200. */
  private boolean ready(int port) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build();
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
