package io.tickstream.fanout.impl.transport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which requests are a SockJS session's streaming ones: only those move its unsent bound to a new connection. */
class SockJSStreamsTest {

  @Test
  void streamingTransportsNameTheirSession() {
    assertThat(SockJSStreams.streamingSession("/sockjs/000/abc/xhr_streaming")).isEqualTo("abc");
    assertThat(SockJSStreams.streamingSession("/sockjs/123/s-1/eventsource")).isEqualTo("s-1");
    assertThat(SockJSStreams.streamingSession("/sockjs/123/s-1/htmlfile?c=callback")).isEqualTo("s-1");
  }

  @Test
  void otherRequestsNameNone() {
    assertThat(SockJSStreams.streamingSession("/sockjs/000/abc/xhr")).isNull();
    assertThat(SockJSStreams.streamingSession("/sockjs/000/abc/xhr_send")).isNull();
    assertThat(SockJSStreams.streamingSession("/sockjs/000/abc/websocket")).isNull();
    assertThat(SockJSStreams.streamingSession("/sockjs/info")).isNull();
    assertThat(SockJSStreams.streamingSession("/xhr_streaming")).isNull();
    assertThat(SockJSStreams.streamingSession("//xhr_streaming")).isNull();
    assertThat(SockJSStreams.streamingSession(null)).isNull();
  }
}
