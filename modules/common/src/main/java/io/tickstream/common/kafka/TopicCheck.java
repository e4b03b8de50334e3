package io.tickstream.common.kafka;

import java.util.List;

/**
 * Outcome of {@link BookTickerTopic#ensure}: whether the topic was created, and how an existing topic
 * differs from the configured settings. A mismatch is reported, never "fixed": changing partitions or
 * cleanup policy of a live topic is an operator's decision, not a start-up side effect.
 *
 * @param topic      the topic name
 * @param created    true if this call created the topic
 * @param partitions the topic's partition count
 * @param mismatches human-readable differences from the configuration; empty if none
 */
public record TopicCheck(String topic, boolean created, int partitions, List<String> mismatches) {

  public boolean matches() {
    return mismatches.isEmpty();
  }
}
