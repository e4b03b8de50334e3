package io.tickstream.fanout;

import io.tickstream.common.tick.BookTicker;
import io.tickstream.common.tick.BookTickerEncoder;
import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The board at {@code /} in a real browser: headless Chromium driven through chromedriver (both Debian's, nothing
 * downloaded), against a node on a fixed port fed with live ticks. It finds the ten most active symbols, shows
 * prices moving over WebSocket and over SockJS, reports an unknown symbol without breaking, and reconnects and
 * resumes after the node restarts on the same port.
 *
 * <p>Without Chromium the test is skipped, except on CI ({@code CI=true}), which installs it and must run it.
 */
@Tag("browser")
@ExtendWith(KafkaBrokerExtension.class)
class BoardBrowserTest {

  private static final Path CHROMIUM = Path.of(env("TICKSTREAM_CHROMIUM", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(env("TICKSTREAM_CHROMEDRIVER", "/usr/bin/chromedriver"));
  private static final boolean INSTALLED = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  private static final String NEEDS = "headless Chromium at " + CHROMIUM + " and chromedriver at " + CHROMEDRIVER
      + " (Debian: apt-get install chromium chromium-driver; or set TICKSTREAM_CHROMIUM / TICKSTREAM_CHROMEDRIVER)";
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Ten symbols, each ticking on about a third of the {@link #TICK_MILLIS} rounds, at about their real prices. */
  private static final Map<String, Double> BUSY = new LinkedHashMap<>();
  /** Two symbols that tick once: known to the node, never among the ten most active. */
  private static final List<String> QUIET = List.of("LTCUSDT", "DOTUSDT");
  private static final long TICK_MILLIS = 50;

  static {
    BUSY.put("BTCUSDT", 97_000.0);
    BUSY.put("ETHUSDT", 3_600.0);
    BUSY.put("SOLUSDT", 240.0);
    BUSY.put("BNBUSDT", 690.0);
    BUSY.put("XRPUSDT", 1.45);
    BUSY.put("DOGEUSDT", 0.41);
    BUSY.put("ADAUSDT", 1.02);
    BUSY.put("TRXUSDT", 0.21);
    BUSY.put("LINKUSDT", 23.5);
    BUSY.put("AVAXUSDT", 45.0);
  }

  private static FanoutFixture node;
  private static ScheduledExecutorService feed;
  private ChromeDriver browser;
  private Path profile;

  private static String env(String name, String otherwise) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? otherwise : v;
  }

  @BeforeAll
  static void start() throws IOException {
    if ("true".equals(System.getenv("CI"))) {
      assertThat(INSTALLED).as("CI installs " + NEEDS).isTrue();
    }
    if (!INSTALLED) {
      return; // each test reports itself skipped, with what to install (an assumption here would hide the tests)
    }

    // A fixed port: the restart must come back where the page connects.
    node = FanoutFixture.create("browser", new JsonObject().put("fanout.port", freePort())
        .put("fanout.drain-window", "1s"));
    AtomicLong u = new AtomicLong();
    BookTickerEncoder encoder = new BookTickerEncoder();
    for (String s : QUIET) {
      node.produce(new BookTicker(u.incrementAndGet(), s, "10.00", "1.0", "10.01", "1.0", nowMicros()));
    }
    Map<String, Double> prices = new LinkedHashMap<>(BUSY);
    feed = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "board-feed"));
    feed.scheduleAtFixedRate(() -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      prices.replaceAll((s, p) -> p * (1 + (random.nextDouble() - 0.5) * 0.0008));
      prices.forEach((s, p) -> {
        if (random.nextInt(3) != 0) {
          return;
        }
        double spread = p * 0.00002;
        BookTicker t = new BookTicker(u.incrementAndGet(), s, price(p - spread), qty(random), price(p + spread),
            qty(random), nowMicros());
        node.producer.send(new ProducerRecord<>(node.topic, s, encoder.recordValue(t)));
      });
    }, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    node.deploy();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (feed != null) {
      feed.shutdownNow();
      feed.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
  }

  @BeforeEach
  void openBrowser() throws IOException {
    Assumptions.assumeTrue(INSTALLED, "the browser test needs " + NEEDS);
    profile = Files.createTempDirectory("board-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=1100,800");
    // An explicit driver and browser binary: Selenium Manager has nothing to look up or download.
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterEach
  void closeBrowser() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (profile == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void boardShowsTheTenMostActiveSymbolsLiveOverWebSocketThenOverSockJS() throws IOException {
    browser.get(url("/"));
    awaitLive("ws");
    waitUntil("the ten most active symbols as rows", () -> symbolsShown().equals(
        BUSY.keySet().stream().map(s -> s.toLowerCase(Locale.ROOT)).sorted().toList()));
    awaitPricesMove("btcusdt");
    assertThat(cell("btcusdt", "latency").getText()).matches("-?\\d+\\.\\d ms");
    screenshot("board-websocket.png");

    browser.findElement(By.id("symbol")).sendKeys("nosuchusdt\n");
    waitUntil("the node's error for an unknown symbol",
        () -> browser.findElement(By.id("message")).getText().contains("unknown symbol NOSUCHUSDT"));
    assertThat(browser.findElements(By.cssSelector("tr[data-symbol=nosuchusdt]"))).isEmpty();
    assertThat(state()).isEqualTo("live");
    awaitPricesMove("ethusdt");

    browser.findElement(By.cssSelector("input[name=transport][value=sockjs]")).click();
    awaitLive("sockjs");
    assertThat(browser.getCurrentUrl()).contains("transport=sockjs");
    awaitPricesMove("btcusdt");
    awaitPricesMove("solusdt");
    screenshot("board-sockjs.png");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "sockjs"})
  void boardReconnectsAndResumesAfterTheNodeRestartsOnTheSamePort(String transport) {
    browser.get(url("/?symbols=btcusdt,ethusdt&transport=" + transport));
    awaitLive(transport);
    assertThat(symbolsShown()).containsExactly("btcusdt", "ethusdt");
    awaitPricesMove("btcusdt");

    node.undeploy();
    waitUntil("the board to notice the node is gone", () -> state().equals("reconnecting"));
    node.deploy();

    awaitLive(transport);
    awaitPricesMove("btcusdt");
    awaitPricesMove("ethusdt");
  }

  private String url(String path) {
    return "http://127.0.0.1:" + node.port() + path;
  }

  private void awaitLive(String transport) {
    waitUntil("state live over " + transport, () -> {
      WebElement s = browser.findElement(By.id("state"));
      return "live".equals(s.getDomAttribute("data-state")) && transport.equals(s.getDomAttribute("data-transport"));
    });
  }

  /** Waits for a newer tick painted in the row and a different bid shown, flashed up or down. */
  private void awaitPricesMove(String symbol) {
    waitUntil(symbol + " painted", () -> !row(symbol).isEmpty() && rowU(symbol) > 0);
    long u = rowU(symbol);
    String bid = cell(symbol, "bid").getText();
    waitUntil(symbol + " updating past u=" + u + " and bid " + bid,
        () -> rowU(symbol) > u && !cell(symbol, "bid").getText().equals(bid));
    assertThat(cell(symbol, "bid").getDomAttribute("class")).containsAnyOf("up", "down");
  }

  private List<WebElement> row(String symbol) {
    return browser.findElements(By.cssSelector("tr[data-symbol=" + symbol + "]"));
  }

  private long rowU(String symbol) {
    String u = row(symbol).getFirst().getDomAttribute("data-u");
    return u == null ? 0 : Long.parseLong(u);
  }

  private WebElement cell(String symbol, String cls) {
    return browser.findElement(By.cssSelector("tr[data-symbol=" + symbol + "] td." + cls));
  }

  private List<String> symbolsShown() {
    return browser.findElements(By.cssSelector("#board tbody tr")).stream()
        .map(tr -> tr.getDomAttribute("data-symbol")).sorted().toList();
  }

  private String state() {
    return browser.findElement(By.id("state")).getDomAttribute("data-state");
  }

  private void waitUntil(String what, java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, WAIT).withMessage(what).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> condition.getAsBoolean());
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", name), browser.getScreenshotAs(OutputType.BYTES));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }

  private static String price(double p) {
    int decimals = p >= 1000 ? 2 : p >= 10 ? 3 : 5;
    return String.format(Locale.ROOT, "%." + decimals + "f", p);
  }

  private static String qty(ThreadLocalRandom random) {
    return String.format(Locale.ROOT, "%.4f", 0.5 + random.nextDouble() * 40);
  }
}
