package io.tickstream.kafka.broker;
