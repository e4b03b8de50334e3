package io.tickstream.common.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * Micrometer's JVM and process binders on a role's registry, so {@code /metrics} also serves {@code jvm_memory_*},
 * {@code jvm_gc_pause_seconds}, {@code jvm_threads_*}, {@code process_cpu_usage}, {@code process_files_open_files}
 * (a fanout node's connections are open files) and {@code process_uptime_seconds}.
 *
 * <p>Binding the same registry twice is harmless (Micrometer returns the existing meters). {@link #close()} removes
 * the GC notification listener, which otherwise outlives the role when several run in one JVM (the local stack,
 * tests).
 */
public final class JvmMeters implements AutoCloseable {

  private final JvmGcMetrics gc;

  private JvmMeters(JvmGcMetrics gc) {
    this.gc = gc;
  }

  /** Binds the JVM and process meters to {@code registry}; close the result when the role stops. */
  public static JvmMeters bindTo(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return new JvmMeters(gc);
  }

  @Override
  public void close() {
    gc.close();
  }
}
