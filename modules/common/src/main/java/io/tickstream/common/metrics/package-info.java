/** Meters every role exports besides its own: the JVM's memory, GC, threads, classes, CPU and file descriptors. */
package io.tickstream.common.metrics;
