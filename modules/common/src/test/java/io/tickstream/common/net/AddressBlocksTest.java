package io.tickstream.common.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Address lists as every setting that names networks parses them, and the client address behind trusted proxies. */
class AddressBlocksTest {

  private static byte[] ip(String text) {
    return AddressBlocks.parse(text);
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

  @Test
  void blocksMatchByPrefixInEitherFamilyAndNeverAskDns() throws Exception {
    AddressBlocks b = AddressBlocks.of("cluster.allowed-members", List.of("10.0.0.0/12", "192.168.1.7", "fd00::/8", " "));
    assertThat(b.contains(InetAddress.getByName("10.15.255.255"))).isTrue();
    assertThat(b.contains(InetAddress.getByName("10.16.0.0"))).isFalse();
    assertThat(b.contains(InetAddress.getByName("192.168.1.7"))).isTrue();
    assertThat(b.contains(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(b.contains(InetAddress.getByName("fe80::1"))).isFalse();
    assertThat(b.toString()).isEqualTo("10.0.0.0/12,192.168.1.7,fd00::/8");
    assertThat(AddressBlocks.of("x", List.of(" ", ""))).isSameAs(AddressBlocks.NONE);
    assertThat(AddressBlocks.parse("localhost")).as("a host name is no address").isNull();
  }
}
