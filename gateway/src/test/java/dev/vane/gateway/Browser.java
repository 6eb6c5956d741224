package dev.vane.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The system's headless Chromium driven through its chromedriver (Selenium), for the dashboard's tests: one per test
 * class, with a fresh profile, closed with the class ({@code fx.own(Browser.start())}).
 *
 * <p>Where the browser is: {@code VANE_CHROMIUM} and {@code VANE_CHROMEDRIVER}, else {@code /usr/bin/chromium} and
 * {@code /usr/bin/chromedriver} (Debian's {@code chromium} and {@code chromium-driver}, which {@code .ci/run}
 * installs). When they are missing the tests fail if the environment variable {@code CI} is set, and are skipped with
 * a message saying what to install otherwise (a developer machine without a browser can still run README's build).
 */
final class Browser implements AutoCloseable {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  final ChromeDriver driver;
  private final Path profile;
  /** Console messages read so far (reading the browser's log empties it). */
  private final List<String> console = new ArrayList<>();

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Null when the browser and its driver are installed; else why not, for a test to skip on (AssertionError instead
   * when {@code CI} is set: there the browser tests must not pass by skipping).
   */
  static String missing() {
    Path chromium = chromium();
    Path chromedriver = chromedriver();
    if (Files.isExecutable(chromium) && Files.isExecutable(chromedriver)) {
      return null;
    }
    String why = "no browser: " + chromium + " or " + chromedriver + " is missing (install the Debian packages "
        + "chromium and chromium-driver, or set VANE_CHROMIUM and VANE_CHROMEDRIVER)";
    if (System.getenv("CI") != null) {
      throw new AssertionError(why + "; CI is set, so the dashboard's browser tests fail rather than skip");
    }
    return why + "; skipped because CI is not set";
  }

  private static Path chromium() {
    return Path.of(env("VANE_CHROMIUM", "/usr/bin/chromium"));
  }

  private static Path chromedriver() {
    return Path.of(env("VANE_CHROMEDRIVER", "/usr/bin/chromedriver"));
  }

  static Browser start() {
    String why = missing();
    if (why != null) {
      Assumptions.abort(why);
    }
    Path chromium = chromium();
    Path chromedriver = chromedriver();
    Path profile;
    try {
      profile = Files.createTempDirectory("vane-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions o = new ChromeOptions();
    o.setBinary(chromium.toFile());
    o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    o.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort().build();
    ChromeDriver d = new ChromeDriver(service, o);
    d.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return new Browser(d, profile);
  }

  private static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }

  void open(String url) {
    driver.get(url);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  WebDriverWait waiting() {
    return new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(50));
  }

  /** Waits for an element matching {@code css} to be in the page, and returns it. */
  WebElement await(String css) {
    return waiting().withMessage(() -> "no " + css + " in " + driver.getCurrentUrl() + ": "
        + driver.findElement(By.tagName("main")).getText()).until(d -> {
          List<WebElement> found = d.findElements(By.cssSelector(css));
          return found.isEmpty() ? null : found.get(0);
        });
  }

  /** Whether any element matches {@code css}. */
  boolean has(String css) {
    return !driver.findElements(By.cssSelector(css)).isEmpty();
  }

  /**
   * Waits until the canvas {@code css} has a non-transparent pixel (Chart.js drew on it), and returns how many of
   * its pixels are not transparent.
   */
  long awaitDrawn(String css) {
    return waiting().withMessage(() -> "nothing drawn on " + css).until(d -> {
      Object n = js("""
          const c = document.querySelector(arguments[0]);
          if (!c || c.width === 0 || c.height === 0) return 0;
          const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) n++;
          return n;""", css);
      long drawn = ((Number) n).longValue();
      return drawn > 0 ? drawn : null;
    });
  }

  /** The cells of table {@code css} by row: each cell's {@code data-value} (its raw number), keyed by column. */
  @SuppressWarnings("unchecked")
  List<Map<String, String>> table(String css) {
    return (List<Map<String, String>>) js("""
        const t = document.querySelector(arguments[0]);
        if (!t) return null;
        return [...t.tBodies[0].rows].map(r => Object.fromEntries([...r.cells].map(c => [c.dataset.key, c.dataset.value])));
        """, css);
  }

  /** Every console message since the last call, as "LEVEL message". */
  List<String> console() {
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      console.add(e.getLevel() + " " + e.getMessage());
    }
    List<String> out = List.copyOf(console);
    console.clear();
    return out;
  }

  /** Saves the page (up to 2400 px of it) as {@code target/screenshots/<name>.png}. */
  Path screenshot(String name) {
    return screenshot(name, null, 2400);
  }

  /**
   * Saves {@code height} px of the page (at most to its end) as {@code target/screenshots/<name>.png}, from the top of
   * the element {@code fromCss} (null: the top of the page).
   */
  Path screenshot(String name, String fromCss, int height) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Number top = fromCss == null ? 0 : (Number) js("const e = document.querySelector(arguments[0]);"
          + "return e ? Math.max(0, Math.floor(e.getBoundingClientRect().top + window.scrollY) - 8) : 0", fromCss);
      Number h = (Number) js("return Math.min(arguments[0], document.documentElement.scrollHeight - arguments[1])",
          height, top);
      Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
          "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", top.intValue(), "width", 1280,
              "height", Math.max(1, h.intValue()), "scale", 1)));
      Path file = SCREENSHOTS.resolve(name + ".png");
      Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
