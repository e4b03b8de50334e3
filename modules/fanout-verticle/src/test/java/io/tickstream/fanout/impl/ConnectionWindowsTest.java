package io.tickstream.fanout.impl;

import io.tickstream.common.net.AddressBlocks;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tickstream.fanout.impl.ConnectionWindows.Verdict.ADMITTED;
import static io.tickstream.fanout.impl.ConnectionWindows.Verdict.REFUSED;
import static io.tickstream.fanout.impl.ConnectionWindows.Verdict.UNTRACKED;
import static org.assertj.core.api.Assertions.assertThat;

/** The per-address windows on their own (the client-address rule is AddressBlocksTest's; the wire tests are in AdmissionTest). */
class ConnectionWindowsTest {

  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  private static byte[] ip(String text) {
    return AddressBlocks.parse(text);
  }

  @Test
  void anAddressGetsItsLimitPerWindowAndANewWindowAfterIt() {
    ConnectionWindows w = new ConnectionWindows(3, 5 * MINUTE, 100);
    for (int i = 0; i < 3; i++) {
      assertThat(w.tryAcquire(ip("192.0.2.1"), i)).isEqualTo(ADMITTED);
    }
    assertThat(w.tryAcquire(ip("192.0.2.1"), 5 * MINUTE - 1)).isEqualTo(REFUSED);
    assertThat(w.tryAcquire(ip("192.0.2.2"), 10)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("192.0.2.1"), 5 * MINUTE)).isEqualTo(ADMITTED);
  }

  @Test
  void ipv6AddressesOfOneSlash64ShareAWindowAndIpv4MappedOnesCountAsIpv4() {
    ConnectionWindows w = new ConnectionWindows(2, MINUTE, 100);
    assertThat(w.tryAcquire(ip("2001:db8:1:2::1"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("2001:db8:1:2:abcd::9"), 0)).isEqualTo(REFUSED);
    assertThat(w.tryAcquire(ip("2001:db8:1:3::1"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("::ffff:192.0.2.7"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("192.0.2.7"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("192.0.2.7"), 0)).isEqualTo(REFUSED);
  }

  @Test
  void theTableIsBoundedNewAddressesPastItAreUntrackedAndExpiredWindowsAreEvicted() {
    ConnectionWindows w = new ConnectionWindows(1, MINUTE, 2);
    assertThat(w.tryAcquire(ip("192.0.2.1"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("2001:db8::1"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("192.0.2.3"), 0)).isEqualTo(UNTRACKED);
    assertThat(w.size()).isEqualTo(2);
    // A tracked address is still limited while the table is full.
    assertThat(w.tryAcquire(ip("192.0.2.1"), 1)).isEqualTo(REFUSED);
    w.evictExpired(MINUTE - 1);
    assertThat(w.size()).isEqualTo(2);
    w.evictExpired(MINUTE);
    assertThat(w.size()).isZero();
    assertThat(w.tryAcquire(ip("192.0.2.3"), MINUTE)).isEqualTo(ADMITTED);
  }
}
