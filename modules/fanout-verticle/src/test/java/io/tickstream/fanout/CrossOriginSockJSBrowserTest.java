package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page on another origin ({@code http://localhost:<page port>}) streaming from a node ({@code http://127.0.0.1:<port>})
 * over SockJS in headless Chromium, with the stock sockjs-client the board uses. sockjs-client sends its cross-origin
 * XHRs with credentials, which the browser accepts only with the exact origin and
 * {@code Access-Control-Allow-Credentials: true}: the node gives those to a listed origin, so a listed page streams over
 * every transport, with its API key in the SockJS URL's query string. A page whose origin is not listed is refused.
 */
@Tag("browser")
@ExtendWith(KafkaBrokerExtension.class)
class CrossOriginSockJSBrowserTest {

  private static final Path CHROMIUM = Path.of(env("TICKSTREAM_CHROMIUM", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(env("TICKSTREAM_CHROMEDRIVER", "/usr/bin/chromedriver"));
  private static final boolean INSTALLED = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;
  @TempDir
  Path profile;
  private static FanoutFixture listed;
  private static FanoutFixture unlisted;
  private static Vertx pageVertx;
  private static HttpServer pages;
  private ChromeDriver browser;

  private static String env(String name, String otherwise) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? otherwise : v;
  }

  @BeforeAll
  static void start() throws Exception {
    if ("true".equals(System.getenv("CI"))) {
      assertThat(INSTALLED).as("CI installs headless Chromium and chromedriver").isTrue();
    }
    if (!INSTALLED) {
      return;
    }
    // The page's own server, on a Vert.x of its own: another origin than any node's.
    pageVertx = Vertx.vertx();
    pages = FanoutFixture.await(pageVertx.createHttpServer().requestHandler(req -> {
      int nodePort = Integer.parseInt(req.getParam("node"));
      req.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page(nodePort));
    }).listen(0, "127.0.0.1"));
    String pageOrigin = "http://localhost:" + pages.actualPort();
    Path keys = dir.resolve("keys.json");
    Files.writeString(keys, new JsonObject().put("keys", new JsonArray().add(new JsonObject().put("id", "page")
        .put("sha256", ApiKeyTest.sha256("page-key")))).encode());
    listed = node("xorigin-listed", new JsonObject().put("fanout.allowed-origins", pageOrigin)
        .put("fanout.auth", "api-key").put("fanout.auth.keys-file", keys.toString()));
    unlisted = node("xorigin-unlisted", new JsonObject().put("fanout.allowed-origins", "https://app.example.com"));
  }

  private static FanoutFixture node(String name, JsonObject config) {
    FanoutFixture f = FanoutFixture.create(name, config.put("fanout.instances", 1));
    f.produce("BTCUSDT", 1);
    return f.deploy();
  }

  /** The page: sockjs-client from the node, a function that connects and records everything that happens. */
  private static String page(int nodePort) {
    String node = "http://127.0.0.1:" + nodePort;
    return "<!doctype html><html><head><script src=\"" + node + "/webjars/sockjs-client/1.6.1/dist/sockjs.min.js\"></script>"
        + "<script>window.events = [];\n"
        + "function go(transport, query) {\n"
        + "  var sock = new SockJS('" + node + "/sockjs' + query, null, {transports: [transport]});\n"
        + "  sock.onopen = function() { window.events.push('open:' + sock.transport);\n"
        + "    sock.send(JSON.stringify({method: 'SUBSCRIBE', params: ['btcusdt@bookTicker'], id: 1})); };\n"
        + "  sock.onmessage = function(e) { window.events.push(e.data); };\n"
        + "  sock.onclose = function(e) { window.events.push('close:' + e.code); };\n"
        + "}</script></head><body>cross-origin page</body></html>";
  }

  @AfterAll
  static void stop() {
    if (listed != null) {
      listed.close();
    }
    if (unlisted != null) {
      unlisted.close();
    }
    if (pageVertx != null) {
      FanoutFixture.await(pageVertx.close());
    }
  }

  @BeforeEach
  void openBrowser() {
    Assumptions.assumeTrue(INSTALLED, "needs headless Chromium at " + CHROMIUM + " and chromedriver at " + CHROMEDRIVER);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @SuppressWarnings("unchecked")
  private List<String> events() {
    return (List<String>) ((JavascriptExecutor) browser).executeScript("return window.events.slice();");
  }

  private void open(FanoutFixture node, String transport, String query) {
    browser.get("http://localhost:" + pages.actualPort() + "/?node=" + node.port());
    ((JavascriptExecutor) browser).executeScript("go(arguments[0], arguments[1]);", transport, query);
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "xhr-streaming", "xhr-polling"})
  void aListedOriginStreamsOverEveryTransportWithItsKeyInTheQuery(String transport) {
    open(listed, transport, "?apiKey=page-key");
    new WebDriverWait(browser, WAIT).withMessage(() -> "a tick over " + transport + ": " + events())
        .until(b -> events().stream().anyMatch(e -> e.contains("\"stream\":\"btcusdt@bookTicker\"")));
    assertThat(events().getFirst()).isEqualTo("open:" + transport);
    assertThat(events()).contains("{\"result\":null,\"id\":1}");
  }

  @Test
  void withoutItsKeyTheListedPageCannotConnect() {
    open(listed, "xhr-streaming", "");
    new WebDriverWait(browser, WAIT).withMessage(() -> "closed: " + events())
        .until(b -> events().stream().anyMatch(e -> e.startsWith("close:")));
    assertThat(events()).noneMatch(e -> e.startsWith("open:"));
  }

  @Test
  void anUnlistedOriginCannotConnect() {
    open(unlisted, "websocket", "");
    new WebDriverWait(browser, WAIT).withMessage(() -> "closed: " + events())
        .until(b -> events().stream().anyMatch(e -> e.startsWith("close:")));
    assertThat(events()).noneMatch(e -> e.startsWith("open:"));
  }
}
