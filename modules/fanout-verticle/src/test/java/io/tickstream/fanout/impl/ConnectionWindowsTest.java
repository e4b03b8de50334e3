package io.tickstream.fanout.impl;

import io.tickstream.common.net.AddressBlocks;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tickstream.fanout.impl.ConnectionWindows.Verdict.ADMITTED;
import static io.tickstream.fanout.impl.ConnectionWindows.Verdict.REFUSED;
import static io.tickstream.fanout.impl.ConnectionWindows.Verdict.UNTRACKED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-address windows and the client-address rule, on their own (the wire tests are in AdmissionTest). */
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

  @Test
  void theClientIsTheFirstUntrustedHopFromTheRight() {
    AddressBlocks t = AddressBlocks.of("fanout.trusted-proxies", List.of("10.0.0.0/8", "fd00::/8", "192.0.2.10"));
    int[] bad = {0};
    Runnable onBad = () -> bad[0]++;
    // No trusted peer: headers ignored.
    assertThat(t.clientAddress("198.51.100.1", "203.0.113.1", List.of("203.0.113.2"), onBad)).isEqualTo(ip("198.51.100.1"));
    // Trusted peer: the PROXY source, then X-Forwarded-For from the right while hops are trusted.
    assertThat(t.clientAddress("10.1.2.3", "203.0.113.1", List.of(), onBad)).isEqualTo(ip("203.0.113.1"));
    assertThat(t.clientAddress("10.1.2.3", null, List.of("6.6.6.6, 203.0.113.5, 10.9.9.9"), onBad))
        .isEqualTo(ip("203.0.113.5"));
    assertThat(t.clientAddress("192.0.2.10", null, List.of("6.6.6.6", "[2001:db8::7]:443, fd00::1"), onBad))
        .isEqualTo(ip("2001:db8::7"));
    assertThat(t.clientAddress("10.1.2.3", null, List.of("203.0.113.9:51000"), onBad)).isEqualTo(ip("203.0.113.9"));
    // Every hop trusted: the leftmost.
    assertThat(t.clientAddress("10.1.2.3", null, List.of("10.0.0.5, 10.0.0.6"), onBad)).isEqualTo(ip("10.0.0.5"));
    // Garbage written by a trusted proxy stops at that proxy, counted; garbage to its left is never read.
    assertThat(t.clientAddress("10.1.2.3", null, List.of("not-an-ip"), onBad)).isEqualTo(ip("10.1.2.3"));
    assertThat(t.clientAddress("10.1.2.3", null, List.of("junk, 203.0.113.3"), onBad)).isEqualTo(ip("203.0.113.3"));
    assertThat(bad[0]).isEqualTo(1);
  }

  @Test
  void badAddressBlocksAreRefusedWithTheEntryNamed() {
    assertThatThrownBy(() -> AddressBlocks.of("fanout.trusted-proxies", List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> AddressBlocks.of("fanout.trusted-proxies", List.of("lb.example.com"))).hasMessageContaining("lb.example.com");
    assertThat(AddressBlocks.of("fanout.trusted-proxies", List.of("::ffff:10.0.0.1")).contains(ip("10.0.0.1"))).isTrue();
  }
}
