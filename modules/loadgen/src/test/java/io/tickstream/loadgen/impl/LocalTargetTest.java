package io.tickstream.loadgen.impl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalTargetTest {

  @Test
  void loopbackTargetsAreAccepted() {
    assertThat(LocalTarget.parse("ws://127.0.0.1:8080")).isEqualTo(new LocalTarget("127.0.0.1", 8080));
    assertThat(LocalTarget.parse("ws://127.3.4.5:9000").host()).isEqualTo("127.3.4.5");
    assertThat(LocalTarget.parse("ws://[::1]:8080").host()).isEqualTo("::1");
    assertThat(LocalTarget.parse("ws://localhost:8080").port()).isEqualTo(8080);
  }

  @Test
  void privateTargetsAreAcceptedANodeBehindANamespaceOrAContainerNetwork() {
    assertThat(LocalTarget.parse("ws://10.213.5.1:8080").host()).isEqualTo("10.213.5.1");
    assertThat(LocalTarget.parse("ws://192.168.1.2:8080").host()).isEqualTo("192.168.1.2");
    assertThat(LocalTarget.parse("ws://172.28.0.10:8080").host()).isEqualTo("172.28.0.10");
    assertThat(LocalTarget.parse("ws://[fd00::1]:8080").host()).isEqualTo("fd00::1");
  }

  @Test
  void anyOtherHostIsRefusedWithoutAskingDns() {
    for (String url : List.of("ws://203.0.113.7:8080", "ws://172.32.0.1:8080", "ws://example.com:8080",
        "ws://[2001:db8::1]:8080", "ws://0.0.0.0:8080")) {
      assertThatThrownBy(() -> LocalTarget.parse(url)).as(url)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a loopback or private address");
    }
  }

  @Test
  void sourceAddressesExpandRangesAndCountsWithinLoopbackOnly() {
    assertThat(SourceAddresses.parse(List.of("127.0.0.1-127.0.0.3")))
        .containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");
    assertThat(SourceAddresses.parse(List.of("2"))).containsExactly("127.0.0.1", "127.0.0.2");
    assertThat(SourceAddresses.parse(List.of("127.0.0.255-127.0.1.0"))).containsExactly("127.0.0.255", "127.0.1.0");
    assertThat(SourceAddresses.parse(List.of())).isEmpty();
    assertThatThrownBy(() -> SourceAddresses.parse(List.of("10.0.0.1")))
        .hasMessageContaining("not a loopback address");
  }

  @Test
  void connectionsSpreadOverTheSymbolList() {
    List<String> symbols = List.of("A", "B", "C", "D", "E");
    assertThat(SymbolCatalog.forConnection(symbols, 0, 2)).containsExactly("A", "B");
    assertThat(SymbolCatalog.forConnection(symbols, 1, 2)).containsExactly("C", "D");
    assertThat(SymbolCatalog.forConnection(symbols, 2, 2)).containsExactly("E", "A");
    assertThat(SymbolCatalog.forConnection(symbols, 3, 9)).hasSize(5);
  }
}
