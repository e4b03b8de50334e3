package io.tickstream.fanout;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What /cluster names a fanout node by: its public address in a container, where it binds 0.0.0.0. */
class AdvertisedAddressTest {

  @Test
  void thePublicAddressWinsAndGetsThePortWhenItNamesNone() {
    assertThat(FanoutVerticle.advertised(null, "0.0.0.0", 8080)).isEqualTo("0.0.0.0:8080");
    assertThat(FanoutVerticle.advertised("", "127.0.0.1", 8081)).isEqualTo("127.0.0.1:8081");
    assertThat(FanoutVerticle.advertised("10.1.2.3", "0.0.0.0", 8080)).isEqualTo("10.1.2.3:8080");
    assertThat(FanoutVerticle.advertised("fanout-1:18080", "0.0.0.0", 8080)).isEqualTo("fanout-1:18080");
  }
}
