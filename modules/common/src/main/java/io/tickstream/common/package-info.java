package io.tickstream.common;
