/**
 * The capture file format shared by the ingest (which records exchange frames) and the exchange simulator
 * (which replays them).
 */
package io.tickstream.common.capture;
