package io.tickstream.simulator;
