package io.tickstream.ingest.impl;

import io.vertx.core.http.WebSocketConnectOptions;

import java.net.URI;
import java.util.Collection;

/**
 * Where the exchange's combined streams live, parsed once from {@code ingest.ws-url}
 * ({@code wss://stream.binance.com:9443} in production, {@code ws://127.0.0.1:9443} for the simulator).
 */
public record ExchangeEndpoint(boolean ssl, String host, int port, String basePath) {

  public static ExchangeEndpoint parse(String url) {
    URI uri = URI.create(url);
    boolean ssl = switch (uri.getScheme() == null ? "" : uri.getScheme()) {
      case "wss", "https" -> true;
      case "ws", "http" -> false;
      default -> throw new IllegalArgumentException("ingest.ws-url must start with ws:// or wss://: " + url);
    };
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("ingest.ws-url has no host: " + url);
    }
    int port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return new ExchangeEndpoint(ssl, uri.getHost(), port, path);
  }

  /** Options to open a combined-stream connection carrying {@code streams}. */
  public WebSocketConnectOptions combined(Collection<String> streams) {
    return new WebSocketConnectOptions().setSsl(ssl).setHost(host).setPort(port)
        .setURI(basePath + "/stream?streams=" + String.join("/", streams));
  }
}
