package io.tickstream.fanout.impl.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.tickstream.common.stream.StreamName;
import io.tickstream.fanout.impl.loop.LoopDispatcher;
import io.tickstream.fanout.impl.session.ClientSession;
import io.tickstream.fanout.impl.transport.ChannelWebSocketSink;
import io.tickstream.fanout.impl.transport.WebSocketFrameHandler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;

import java.util.List;
import java.util.Set;

/**
 * Takes an upgrade request's connection away from Vert.x and serves it as a WebSocket on a pipeline of our own:
 * Netty's frame decoder, then {@link WebSocketFrameHandler}; writes go from there straight to the socket
 * ({@link ChannelWebSocketSink}). Vert.x's HTTP handlers are removed from the channel, so its HTTP/1 connection and
 * request objects become garbage; nothing of Vert.x remains per connection but the channel in its server's channel
 * group (which closes the channel when the server shuts down).
 *
 * <p>Why here and not through {@code toWebSocket()}: see {@link ChannelWebSocketSink}: the bytes per idle connection.
 * Why it keeps Vert.x's threading model: the channel was accepted on this verticle's event loop (strict thread mode:
 * the request handler runs there, inside the channel's read), and a channel never changes event loop, so every
 * handler of ours runs on the loop of the {@link LoopDispatcher} that owns the session, as Vert.x's handlers did.
 *
 * <p>Internal API: {@link HttpServerConnection#channelHandlerContext()} (Vert.x 5 {@code http.impl}) gives the
 * channel; the pipeline names removed are Vert.x 5.0's ({@code HttpServerConnectionInitializer}). Handlers of other
 * names (TLS, idle timeouts, traffic shaping) stay where they are.
 *
 * <p>Threading: {@link #takeOver} runs on the channel's event loop, inside Vert.x's dispatch of the request.
 */
final class WebSocketChannelUpgrade {

  /**
   * Vert.x 5.0's HTTP/1 server handlers; {@code httpDecoder} is removed last, see {@link #takeOver}. Not {@code h2c}:
   * Vert.x's h2c upgrade handler passes the first request on and then removes itself, and fails if it is gone.
   */
  private static final Set<String> VERTX_HTTP_HANDLERS = Set.of("httpEncoder", "chunkedWriter", "deflater", "inflater",
      "webSocketExtensionHandler");
  private static final String HTTP_DECODER = "httpDecoder";
  private static final String DECODER = "tickstream-ws-decoder";
  private static final String HANDLER = "tickstream-ws";

  private final LoopDispatcher dispatcher;
  private final WebSocketDecoderConfig decoderConfig;
  /** Shared by every channel of this loop: the marks are immutable. */
  private final WriteBufferWaterMark waterMark;
  private final int maxMessageBytes;
  private final int maxOutboundBytes;

  /**
   * @param maxMessageBytes {@code fanout.max-frame-bytes}: {@link WebSocketFrameHandler} closes with 1009 on a message
   *     over it, in one frame or in fragments. The decoder reads frames up to {@link FanoutServer#TRANSPORT_FRAME_FACTOR}
   *     times that, so it stays in step with the client and reads its answer to our close; a frame larger still it
   *     refuses from its header (1009 too), after which it reads nothing more and the close ends by the closing timeout
   * @param maxOutboundBytes {@code fanout.max-outbound-bytes}
   */
  WebSocketChannelUpgrade(LoopDispatcher dispatcher, int maxMessageBytes, int writeQueueBytes, int maxOutboundBytes) {
    this.dispatcher = dispatcher;
    this.maxMessageBytes = maxMessageBytes;
    this.maxOutboundBytes = maxOutboundBytes;
    this.waterMark = new WriteBufferWaterMark(writeQueueBytes / 2, writeQueueBytes);
    // closeOnProtocolViolation off: the decoder would write a Netty close frame object, for which this pipeline has
    // no encoder; it raises the violation instead, and WebSocketFrameHandler closes with its status.
    this.decoderConfig = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength((int) Math.min(Integer.MAX_VALUE / 2, (long) maxMessageBytes * FanoutServer.TRANSPORT_FRAME_FACTOR))
        .expectMaskedFrames(true).allowMaskMismatch(false).allowExtensions(false).closeOnProtocolViolation(false)
        .build();
  }

  /**
   * Answers the (already checked, see {@link WebSocketHandshake#check}) opening handshake with 101 on the request's
   * own channel and opens the session, subscribed to {@code streams}.
   *
   * <p>Order matters: our handlers go in right after Vert.x's HTTP decoder before anything is removed, so bytes the client
   * sent behind its request (frames it did not wait to send) reach our frame decoder when the HTTP decoder leaves
   * with them; the 101 is written before the session's snapshots; the HTTP decoder leaves last, once the session
   * exists to receive what it hands on.
   */
  ClientSession takeOver(HttpServerRequest req, boolean combined, List<StreamName> streams) {
    String key = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    ChannelHandlerContext vertxCtx = ((HttpServerConnection) req.connection()).channelHandlerContext();
    ChannelPipeline pipeline = vertxCtx.pipeline();
    pipeline.channel().config().setWriteBufferWaterMark(waterMark);
    WebSocketFrameHandler handler = new WebSocketFrameHandler(maxMessageBytes, maxOutboundBytes, dispatcher.counters());
    if (pipeline.get(HTTP_DECODER) != null) {
      // Right behind the HTTP decoder: what it still holds when it leaves must reach the frame decoder next.
      pipeline.addAfter(HTTP_DECODER, DECODER, new WebSocket13FrameDecoder(decoderConfig));
      pipeline.addAfter(DECODER, HANDLER, handler);
    } else {
      pipeline.addBefore(vertxCtx.name(), DECODER, new WebSocket13FrameDecoder(decoderConfig));
      pipeline.addBefore(vertxCtx.name(), HANDLER, handler);
    }
    for (String name : pipeline.names()) {
      if (VERTX_HTTP_HANDLERS.contains(name)) {
        pipeline.remove(name);
      }
    }
    Admission.upgraded(pipeline);
    // Vert.x's connection handler: we are inside its channelRead, which Netty allows; it reads nothing more.
    pipeline.remove(vertxCtx.handler());
    ChannelWebSocketSink sink = handler.sink();
    pipeline.context(handler).writeAndFlush(WebSocketHandshake.switchingProtocols(key), pipeline.voidPromise());
    ClientSession session = dispatcher.openWebSocket(sink, combined);
    handler.inbound(session);
    session.subscribe(streams);
    if (pipeline.get(HTTP_DECODER) != null) {
      pipeline.remove(HTTP_DECODER);
    }
    return session;
  }
}