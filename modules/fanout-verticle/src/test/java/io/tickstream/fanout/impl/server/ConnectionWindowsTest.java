package io.tickstream.fanout.impl.server;

import io.tickstream.common.net.AddressBlocks;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tickstream.fanout.impl.server.ConnectionWindows.Level.ADDRESS;
import static io.tickstream.fanout.impl.server.ConnectionWindows.Level.NETWORK;
import static io.tickstream.fanout.impl.server.ConnectionWindows.Level.WIDE;
import static org.assertj.core.api.Assertions.assertThat;

/** The per-address windows on their own (the client-address rule is AddressBlocksTest's; the wire tests are in AdmissionTest). */
class ConnectionWindowsTest {

  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  private static final ConnectionWindows.Verdict ADMITTED = ConnectionWindows.Verdict.of(true, ADDRESS);
  private static final ConnectionWindows.Verdict REFUSED = ConnectionWindows.Verdict.of(false, ADDRESS);

  private static byte[] ip(String text) {
    return AddressBlocks.parse(text);
  }

  @Test
  void anAddressGetsItsLimitPerWindowAndANewWindowAfterIt() {
    ConnectionWindows w = new ConnectionWindows(3, 100, 5 * MINUTE, 100);
    for (int i = 0; i < 3; i++) {
      assertThat(w.tryAcquire(ip("192.0.2.1"), i)).isEqualTo(ADMITTED);
    }
    assertThat(w.tryAcquire(ip("192.0.2.1"), 5 * MINUTE - 1)).isEqualTo(REFUSED);
    assertThat(w.tryAcquire(ip("192.0.2.2"), 10)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("192.0.2.1"), 5 * MINUTE)).isEqualTo(ADMITTED);
  }

  @Test
  void ipv6AddressesOfOneSlash64ShareAWindowAndIpv4MappedOnesCountAsIpv4() {
    ConnectionWindows w = new ConnectionWindows(2, 100, MINUTE, 100);
    assertThat(w.tryAcquire(ip("2001:db8:1:2::1"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("2001:db8:1:2:abcd::9"), 0)).isEqualTo(REFUSED);
    assertThat(w.tryAcquire(ip("2001:db8:1:3::1"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("::ffff:192.0.2.7"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("192.0.2.7"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("192.0.2.7"), 0)).isEqualTo(REFUSED);
  }

  @Test
  void pastAFullTableNewAddressesAreCountedPerNetworkThenPerWideNetworkAndExpiredWindowsAreEvicted() {
    ConnectionWindows w = new ConnectionWindows(1, 2, MINUTE, 2);
    assertThat(w.tryAcquire(ip("192.0.2.1"), 0)).isEqualTo(ADMITTED);
    assertThat(w.tryAcquire(ip("2001:db8::1"), 0)).isEqualTo(ADMITTED);
    // The table of addresses is full: 192.0.2.3 and .4 share 192.0.2.0/24's window of 2.
    assertThat(w.tryAcquire(ip("192.0.2.3"), 0)).isEqualTo(ConnectionWindows.Verdict.of(true, NETWORK));
    assertThat(w.tryAcquire(ip("192.0.2.4"), 0)).isEqualTo(ConnectionWindows.Verdict.of(true, NETWORK));
    assertThat(w.tryAcquire(ip("192.0.2.5"), 0)).isEqualTo(ConnectionWindows.Verdict.of(false, NETWORK));
    assertThat(w.refusingLevel(ip("192.0.2.6"), 0)).isEqualTo(NETWORK);
    assertThat(w.size(ADDRESS)).isEqualTo(2);
    // A tracked address is still limited by its own window while the table is full.
    assertThat(w.tryAcquire(ip("192.0.2.1"), 1)).isEqualTo(REFUSED);
    assertThat(w.refusingLevel(ip("192.0.2.1"), 1)).isEqualTo(ADDRESS);
    // IPv6: the /48 first; a second /48 fills the table of networks; a third /48 goes to its /32, hashed.
    assertThat(w.tryAcquire(ip("2001:db8:1:1::1"), 0)).isEqualTo(ConnectionWindows.Verdict.of(true, NETWORK));
    assertThat(w.size(NETWORK)).isEqualTo(2);
    assertThat(w.tryAcquire(ip("2001:db8:2:1::1"), 0)).isEqualTo(ConnectionWindows.Verdict.of(true, WIDE));
    assertThat(w.tryAcquire(ip("2001:db8:3:1::1"), 0)).isEqualTo(ConnectionWindows.Verdict.of(true, WIDE));
    assertThat(w.tryAcquire(ip("2001:db8:4:1::1"), 0)).isEqualTo(ConnectionWindows.Verdict.of(false, WIDE));
    assertThat(w.refusingLevel(ip("2001:db8:5::1"), 0)).isEqualTo(WIDE);
    // Another /16 has a wide window of its own.
    assertThat(w.tryAcquire(ip("198.51.100.1"), 0)).isEqualTo(ConnectionWindows.Verdict.of(true, WIDE));
    w.evictExpired(MINUTE - 1);
    assertThat(w.size(ADDRESS)).isEqualTo(2);
    w.evictExpired(MINUTE);
    assertThat(w.size(ADDRESS)).isZero();
    assertThat(w.size(NETWORK)).isZero();
    assertThat(w.size(WIDE)).isZero();
    assertThat(w.tryAcquire(ip("192.0.2.3"), MINUTE)).isEqualTo(ADMITTED);
  }

  @Test
  void theWideLevelIsBoundedByItsKeysWhateverTheAddresses() {
    ConnectionWindows w = new ConnectionWindows(1, 1, MINUTE, 1);
    w.tryAcquire(ip("2001:db8::1"), 0);
    w.tryAcquire(ip("2001:db9::1"), 0);
    java.util.Random random = new java.util.Random(18);
    byte[] a = new byte[16];
    for (int i = 0; i < 300_000; i++) {
      random.nextBytes(a);
      a[0] = 0x20;
      assertThat(w.tryAcquire(a.clone(), 0).level()).isEqualTo(WIDE);
    }
    assertThat(w.size(WIDE)).isLessThanOrEqualTo(ConnectionWindows.WIDE_BUCKETS);
  }
}
