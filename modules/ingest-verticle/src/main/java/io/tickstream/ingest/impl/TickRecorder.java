package io.tickstream.ingest.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickstream.common.capture.CaptureFormat;
import io.tickstream.ingest.IngestMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes every exchange frame to a capture file ({@link CaptureFormat}) that the simulator can replay.
 *
 * <p>Event loops only enqueue (non-blocking); a dedicated thread formats and writes. The queue is bounded:
 * when the disk cannot keep up, frames are dropped from the capture and counted ({@code reason=record-overflow}),
 * never from the live stream, and never by blocking an event loop.
 *
 * <p>{@link #record} is thread-safe.
 */
public final class TickRecorder implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TickRecorder.class);
  static final int QUEUE_CAPACITY = 65_536;

  private record Frame(long receiveTimeMicros, String text) {
  }

  private static final Frame END = new Frame(-1, "");

  private final BlockingQueue<Frame> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread writer;
  private final Counter overflow;
  private final Path path;

  public TickRecorder(Path path, MeterRegistry registry) throws IOException {
    this.path = path;
    this.overflow = registry.counter(IngestMetrics.DROPS, "reason", "record-overflow");
    BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
    this.writer = new Thread(() -> drain(out), "tickstream-recorder");
    writer.setDaemon(true);
    writer.start();
  }

  /** Queues one frame; drops and counts it if the writer is behind by {@value #QUEUE_CAPACITY} frames. */
  public void record(long receiveTimeMicros, String frame) {
    if (!queue.offer(new Frame(receiveTimeMicros, frame))) {
      overflow.increment();
    }
  }

  private void drain(BufferedWriter out) {
    try (out) {
      while (true) {
        Frame f = queue.poll(200, TimeUnit.MILLISECONDS);
        if (f == null) {
          out.flush();
          continue;
        }
        if (f == END) {
          return;
        }
        out.write(CaptureFormat.line(f.receiveTimeMicros(), f.text()));
        out.newLine();
      }
    } catch (IOException e) {
      log.error("Capture file {} failed; recording stopped: {}", path, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes what is queued, then closes the file. Blocks: call from a worker or a shutdown path. */
  @Override
  public void close() throws InterruptedException {
    queue.put(END);
    writer.join(TimeUnit.SECONDS.toMillis(10));
  }
}
