package io.tickstream.fanout.impl.access;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OriginPolicyTest {

  @Test
  void starAllowsEveryOriginButListsNone() {
    OriginPolicy any = OriginPolicy.of(List.of("*"));
    assertThat(any.allows("https://evil.example.net")).isTrue();
    assertThat(any.allows("null")).isTrue();
    assertThat(any.listed("https://evil.example.net")).isFalse();
  }

  @Test
  void exactOriginsMatchSchemeHostAndPort() {
    OriginPolicy p = OriginPolicy.of(List.of("https://app.example.com", "http://localhost:3000"));
    assertThat(p.allows("https://app.example.com")).isTrue();
    assertThat(p.allows("https://APP.example.com:443")).isTrue();
    assertThat(p.allows("http://app.example.com")).isFalse();
    assertThat(p.allows("https://app.example.com:8443")).isFalse();
    assertThat(p.allows("http://localhost:3000")).isTrue();
    assertThat(p.allows("http://localhost")).isFalse();
    assertThat(p.allows("https://app.example.com.evil.net")).isFalse();
    assertThat(p.allows("null")).isFalse();
    assertThat(p.allows("garbage")).isFalse();
    assertThat(p.listed("https://app.example.com")).isTrue();
  }

  @Test
  void aWildcardCoversSubdomainsOnly() {
    OriginPolicy p = OriginPolicy.of(List.of("https://*.example.com"));
    assertThat(p.allows("https://a.example.com")).isTrue();
    assertThat(p.allows("https://a.b.example.com")).isTrue();
    assertThat(p.allows("https://example.com")).isFalse();
    assertThat(p.allows("https://evilexample.com")).isFalse();
    assertThat(p.allows("http://a.example.com")).isFalse();
  }

  @Test
  void noOriginHeaderIsANativeClientAndAlwaysAllowed() {
    assertThat(OriginPolicy.of(List.of("https://app.example.com")).allows(null)).isTrue();
    assertThat(OriginPolicy.of(List.of()).allows(null)).isTrue();
    assertThat(OriginPolicy.of(List.of()).allows("https://app.example.com")).isFalse();
  }

  @Test
  void anEntryThatIsNoOriginIsRefusedWithItsName() {
    for (String bad : List.of("app.example.com", "https://app.example.com/path", "https://app.example.com?q", "https://")) {
      assertThatThrownBy(() -> OriginPolicy.of(List.of(bad))).hasMessageContaining(bad)
          .hasMessageContaining("fanout.allowed-origins");
    }
  }
}
