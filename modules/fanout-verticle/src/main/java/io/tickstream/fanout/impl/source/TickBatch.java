package io.tickstream.fanout.impl.source;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

import java.util.List;

/**
 * One Kafka poll's accepted ticks, already encoded, as published on the node's local event bus.
 *
 * @param ticks in offset order per partition; never modified after publishing
 */
public record TickBatch(List<EncodedTick> ticks) {

  /** Name of {@link #CODEC}, registered once per Vert.x instance. */
  public static final String CODEC_NAME = "tickstream-tick-batch";

  /**
   * Local only: the batch object itself is handed to each consumer (no copy, no serialisation). Ticks
   * never cross the cluster; every node reads Kafka itself.
   */
  public static final MessageCodec<TickBatch, TickBatch> CODEC = new MessageCodec<>() {
    @Override
    public void encodeToWire(Buffer buffer, TickBatch batch) {
      throw new UnsupportedOperationException("tick batches are local to a node");
    }

    @Override
    public TickBatch decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("tick batches are local to a node");
    }

    @Override
    public TickBatch transform(TickBatch batch) {
      return batch;
    }

    @Override
    public String name() {
      return CODEC_NAME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  };
}
