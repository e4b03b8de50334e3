/** The load generator's machinery: connections, per-event-loop recorders, symbol discovery, the report. */
package io.tickstream.loadgen.impl;
