/**
 * A Binance spot market-stream server to run offline or inside tests: {@link io.tickstream.simulator.ExchangeSimulator},
 * its {@link io.tickstream.simulator.SimulatorSettings}, {@link io.tickstream.simulator.SimulatorFaults} and the
 * {@link io.tickstream.common.capture.CaptureFormat} it replays.
 */
package io.tickstream.simulator;
