/** The simulator's machinery: universe, generator, connections, control protocol, admin routes, replay. Not API. */
package io.tickstream.simulator.impl;
