package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.router.InMemoryStickyStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real headless Chromium against a real gateway with real backends and real traffic: sign-in,
 * the experiments list, an experiment's charts per minute and per day (drawn, and their tables equal to the
 * time-series and results APIs' numbers, including results over time), the novelty check (one day on the main
 * gateway; four, with a fading effect, on a second gateway with a hand-moved clock), slices crossed in two
 * dimensions, the shadow's agreement over time, the SRM banner for a mismatch engineered with sticky units and a ramp
 * (and not for a healthy experiment), the bandit's posteriors, the rollout and config pages, roles (no operation buttons for a viewer, 403 as a page, 401 as the sign-in page), an
 * operator pausing an experiment through the confirmation dialog, and no console errors. Screenshots of each page go
 * to {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final String ADMIN = SecretWatch.secret("admin");
  static final String OPERATOR = SecretWatch.secret("operator");
  static final String VIEWER = SecretWatch.secret("viewer");
  static final String FEEDBACK = SecretWatch.secret("feedback");
  /** The 401 and 403 answers the pages provoke on purpose show up as console errors of the failed fetch. */
  static final Pattern EXPECTED_REFUSAL = Pattern.compile(".*Failed to load resource: the server responded with a "
      + "status of 40[13].*");
  static Gateway gw;
  static Browser browser;
  static String ui;

  /** Why there is no browser here (each test is skipped with it), or null. */
  static String noBrowser;

  @BeforeAll
  static void start() throws Exception {
    noBrowser = Browser.missing();
    if (noBrowser != null) {
      return;
    }
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b", x -> x.failing(0.05));
    TestBackend c = fx.backend("c");
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        admin:
          auth:
            tokens:
              - { name: alice, token: %s, roles: [admin] }
              - { name: oscar, token: %s, roles: [operator] }
              - { name: vera, token: %s, roles: [viewer] }
              - { name: fred, token: %s, roles: [feedback] }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
          - { id: c, url: "%s" }
        routes:
          - { pathPrefix: /ranker/, experiment: ranker }
          - { pathPrefix: /skewed/, experiment: skewed }
          - { pathPrefix: /fraud/, experiment: fraud }
          - { pathPrefix: /reco/, experiment: reco }
          - { pathPrefix: /summ/, experiment: summ }
        experiments:
          - id: ranker
            variants:
              - { id: a, endpoint: a, weight: 5000 }
              - { id: b, endpoint: b, weight: 3000 }
              - { id: c, endpoint: c, weight: 2000 }
            metrics:
              - { name: click, kind: binary, primary: true }
              - { name: complaints, kind: binary, direction: lower, guardrail: true }
            slices:
              - { name: region, header: X-Region, maxValues: 4 }
              - { name: device, header: X-Device, maxValues: 3 }
            sliceCrosses: [ [region, device] ]
          - id: skewed
            variants: [ { id: x, endpoint: a, weight: 5000 }, { id: y, endpoint: b, weight: 5000 } ]
          - id: fraud
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 50 }
            shadows: [ { id: mirror, endpoint: c, percent: 100 } ]
          - id: reco
            policy: thompson
            sticky: false
            variants: [ { id: r1, endpoint: a, weight: 5000 }, { id: r2, endpoint: c, weight: 5000 } ]
            metrics: [ { name: click, kind: binary, primary: true } ]
            bandit: { minExplorationPercent: 5, warmup: 40, refreshInterval: 200ms }
          - id: summ
            champion: { endpoint: a }
            canary: { endpoint: c, percent: 0 }
            rollout:
              steps: [ { percent: 10, minExposures: 30 }, { percent: 50, minExposures: 60 }, { percent: 100 } ]
              guardrails: [ { metric: errorRate, margin: 0.5 } ]
              analysisInterval: 250ms
        """.formatted(ADMIN, OPERATOR, VIEWER, FEEDBACK, a.url(), b.url(), c.url()));
    long t0 = System.nanoTime();
    traffic();
    long t1 = System.nanoTime();
    ui = "http://127.0.0.1:" + gw.adminPort() + "/ui/";
    browser = fx.own(Browser.start());
    System.out.printf("DashboardBrowserTest: traffic %.1f s, browser start %.1f s%n", (t1 - t0) / 1e9,
        (System.nanoTime() - t1) / 1e9);
  }

  /** Real requests through the gateway (one client per experiment, side by side), and click feedback on them. */
  static void traffic() throws Exception {
    Map<String, Double> clickRate = Map.of("a", 0.10, "b", 0.20, "c", 0.08, "r1", 0.05, "r2", 0.30);
    Queue<JsonObject> clicks = new ConcurrentLinkedQueue<>();
    String[] regions = {"eu", "us", "apac"};
    String[] devices = {"ios", "web"};
    List<CompletableFuture<Void>> clients = List.of(CompletableFuture.runAsync(() -> {
      SplittableRandom rnd = new SplittableRandom(1);
      for (int round = 0; round < 2; round++) {
        for (int u = 0; u < 300; u++) {
          Harness.Reply r = h.send(gw.port(), HttpMethod.POST, "/ranker/infer",
              Map.of("X-User-Id", "user-" + u, "X-Region", regions[u % 3], "X-Device", devices[u % 2]),
              Buffer.buffer("{}"));
          if (rnd.nextDouble() < clickRate.get(r.header("X-Vane-Variant"))) {
            clicks.add(event(r, "click"));
          }
          if (rnd.nextDouble() < 0.02) {
            clicks.add(event(r, "complaints"));
          }
        }
      }
    }), CompletableFuture.runAsync(() -> {
      for (int u = 0; u < 200; u++) {
        h.post(gw.port(), "/fraud/infer", "user-" + u, "{}");
      }
    }), CompletableFuture.runAsync(() -> {
      for (int u = 0; u < 200; u++) {
        h.post(gw.port(), "/skewed/infer", "user-" + u, "{}");
      }
      // the sample-ratio mismatch: the same units come back after a ramp to 90/10; sticky assignment keeps them on
      // the arms they had at 50/50, so the new version's exposures are about even against weights of 9000 and 1000
      Harness.Reply ramp = call(ADMIN, HttpMethod.POST, "/admin/v1/experiments/skewed/ramp",
          "{\"weights\": {\"x\": 9000, \"y\": 1000}, \"reason\": \"ramp after traffic\"}");
      assertEquals(200, ramp.status(), ramp.body().toString());
      for (int u = 0; u < 200; u++) {
        h.post(gw.port(), "/skewed/infer", "user-" + u, "{}");
      }
    }), CompletableFuture.runAsync(() -> {
      SplittableRandom rnd = new SplittableRandom(2);
      for (int i = 0; i < 300; i++) {
        Harness.Reply r = h.post(gw.port(), "/reco/infer", "user-" + i, "{}");
        if (rnd.nextDouble() < clickRate.get(r.header("X-Vane-Variant"))) {
          clicks.add(event(r, "click"));
        }
      }
    }), CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 300; i++) {
        h.post(gw.port(), "/summ/infer", "unit-" + i, "{}");
        if (i % 50 == 49) {
          pause(300); // a rollout look every 250 ms
        }
      }
    }));
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    Harness.Reply fb = call(FEEDBACK, HttpMethod.POST, "/v1/feedback",
        new JsonObject().put("events", new JsonArray(new ArrayList<>(clicks))).encode());
    assertEquals(200, fb.status(), fb.body().toString());
    gw.refreshBandits();
    Thread.sleep(300); // statuses are counted as requests end
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonObject event(Harness.Reply r, String metric) {
    String id = r.header("X-Request-Id");
    return new JsonObject().put("requestId", id).put("eventId", metric + "-" + id).put("metric", metric).put("value", 1);
  }

  static Harness.Reply call(String token, HttpMethod method, String path, String body) {
    Map<String, String> headers = new HashMap<>();
    headers.put("Authorization", "Bearer " + token);
    return h.send(gw.adminPort(), method, path, headers, body == null ? null : Buffer.buffer(body));
  }

  static JsonObject api(String path) {
    Harness.Reply r = call(VIEWER, HttpMethod.GET, path, null);
    assertEquals(200, r.status(), path + ": " + r.body());
    return r.json();
  }

  @BeforeEach
  void needsABrowser() {
    Assumptions.assumeTrue(noBrowser == null, noBrowser);
  }

  /** Expected refusals in this test (401, 403) are not console errors; anything else at SEVERE or WARNING is. */
  boolean refusalsExpected;

  @AfterEach
  void noConsoleErrors() {
    if (browser == null) {
      return;
    }
    List<String> bad = new ArrayList<>();
    for (String line : browser.console()) {
      if ((line.startsWith("SEVERE") || line.startsWith("WARNING"))
          && !(refusalsExpected && EXPECTED_REFUSAL.matcher(line).matches())) {
        bad.add(line);
      }
    }
    assertEquals(List.of(), bad, "console errors");
  }

  void signIn(String token) {
    browser.open(ui + "#/signin");
    WebElement field = browser.await("#token");
    field.sendKeys(token);
    browser.driver.findElement(By.id("signin-submit")).click();
  }

  void signOut() {
    if (browser.has("#sign-out") && browser.driver.findElement(By.id("sign-out")).isDisplayed()) {
      browser.driver.findElement(By.id("sign-out")).click();
      browser.await("#signin-form");
    }
  }

  @Test
  @Order(2)
  void aWrongTokenRendersTheSignInPageWithTheRefusal() throws Exception {
    refusalsExpected = true;
    browser.open(ui);
    browser.await("#signin-form");
    browser.screenshot("signin", null, 600);
    signIn("not-a-token");
    WebElement msg = browser.waiting().until(d -> {
      WebElement m = d.findElement(By.id("signin-message"));
      return m.getText().contains("401") ? m : null;
    });
    assertTrue(msg.getText().contains("not accepted"), msg.getText());
    assertFalse(browser.driver.getCurrentUrl().contains("not-a-token"));
    assertFalse(browser.driver.findElement(By.id("sign-out")).isDisplayed(), "no sign-out button when signed out");
    assertFalse(browser.driver.findElement(By.id("nav")).isDisplayed());
    assertNotNull(browser.js("return sessionStorage.getItem('vane.token') === null ? 'gone' : null"));
    browser.screenshot("signin-401", null, 600);
  }

  @Test
  @Order(3)
  void aViewerSeesTheExperimentsWithTheirBadges() {
    signIn(VIEWER);
    browser.await("#experiments-table tbody tr");
    // auto-refresh off for the rest of the class (this tab's setting): pages stay as drawn while the test reads them
    WebElement refresh = browser.driver.findElement(By.id("refresh-toggle"));
    assertEquals("true", refresh.getAttribute("aria-pressed"));
    refresh.click();
    assertEquals("false", refresh.getAttribute("aria-pressed"));
    assertFalse(browser.driver.getCurrentUrl().contains(VIEWER), "the token is never in the URL");
    List<String> ids = new ArrayList<>();
    for (WebElement row : browser.driver.findElements(By.cssSelector("#experiments-table tbody tr"))) {
      ids.add(row.getAttribute("data-experiment"));
    }
    assertEquals(List.of("fraud", "ranker", "reco", "skewed", "summ"), ids, "sorted by id");
    assertTrue(browser.has("tr[data-experiment=skewed] .srm-mismatch"), "SRM badge on the skewed experiment");
    assertTrue(browser.has("tr[data-experiment=ranker] .srm-ok"), "SRM ok on the healthy one");
    assertTrue(browser.has("tr[data-experiment=summ] .rollout"), "rollout badge");
    String lift = browser.driver.findElement(By.cssSelector("tr[data-experiment=ranker] ul.lift")).getText();
    assertTrue(lift.contains("click b:") && lift.contains("["), lift);
    assertTrue(browser.driver.findElement(By.id("who-name")).getText().contains("vera (viewer)"));
    browser.screenshot("experiments");
  }

  @Test
  @Order(4)
  void anExperimentPageDrawsItsChartsFromTheApisNumbers() {
    browser.open(ui + "#/experiments/ranker");
    browser.await("#fig-traffic canvas");
    for (String chart : List.of("traffic", "errors", "latency", "effect-error_rate", "metric-click", "armmetric-click",
        "armmetric-cum-click", "effect-click", "metric-complaints", "armmetric-complaints", "effect-complaints",
        "novelty-b", "novelty-c")) {
      assertTrue(browser.awaitDrawn("#chart-" + chart) > 100, chart);
    }
    JsonObject ts = api("/v1/experiments/ranker/timeseries?interval=1m");
    JsonObject results = api("/v1/experiments/ranker/results?interval=1h");
    assertEquals(600, seriesMatch(ts, results), "every exposure of the two rounds");
    // the metric chart's table against the results API
    List<Map<String, String>> click = browser.table("#table-metric-click");
    JsonArray arms = results.getJsonArray("arms");
    assertEquals(arms.size(), click.size());
    for (int i = 0; i < arms.size(); i++) {
      JsonObject arm = arms.getJsonObject(i);
      JsonObject m = metric(arm, "click");
      Map<String, String> row = click.get(i);
      assertEquals(arm.getString("arm"), row.get("arm"));
      assertEquals(m.getLong("trials"), Long.parseLong(row.get("n")));
      assertEquals(m.getLong("successes"), Long.parseLong(row.get("successes")));
      assertEquals(m.getDouble("rate"), Double.parseDouble(row.get("estimate")));
      assertEquals(m.getJsonObject("interval").getDouble("low"), Double.parseDouble(row.get("low")));
      assertEquals(m.getJsonObject("interval").getDouble("high"), Double.parseDouble(row.get("high")));
      // the cumulative chart's last row: every exposure of the version, as the results count them
      List<Map<String, String>> cumulative = browser.table("#table-armmetric-cum-click");
      assertEquals(m.getLong("trials"), Long.parseLong(cumulative.get(cumulative.size() - 1).get("n_" + row.get("arm"))));
    }
    // the novelty check with one day since first exposure: every treatment's day 0, and the trend not tested
    JsonObject novelty = results.getJsonObject("novelty");
    assertEquals("click", novelty.getString("metric"));
    for (String arm : List.of("b", "c")) {
      JsonObject t = novelty.getJsonObject("byTreatment").getJsonObject(arm);
      JsonArray days = t.getJsonArray("byDay");
      List<Map<String, String>> table = browser.table("#table-novelty-" + arm);
      assertEquals(days.size(), table.size(), arm);
      for (int i = 0; i < days.size(); i++) {
        JsonObject d = days.getJsonObject(i);
        assertEquals(d.getString("day"), table.get(i).get("day"));
        assertEquals(d.getJsonObject("treatment").getLong("n"), Long.parseLong(table.get(i).get("nt")));
        assertEquals(d.getDouble("difference"), Double.parseDouble(table.get(i).get("difference")));
        assertEquals(d.getDouble("ciLow"), Double.parseDouble(table.get(i).get("low")));
      }
      assertEquals("too_few_days", t.getJsonObject("trend").getString("reason"));
      WebElement trend = browser.driver.findElement(By.id("novelty-trend-" + arm));
      assertEquals("too_few_days", trend.getAttribute("data-reason"));
      assertTrue(trend.getText().contains("Trend not tested (too_few_days)") && trend.getText().contains("1 day so far"),
          trend.getText());
    }
    assertFalse(browser.has(".novelty-warning"), "no novelty warning without a trend");
    // the two-dimensional slices: one row per (region, device) pair, its exposures per arm as the results give them
    JsonObject cross = results.getJsonArray("slices").stream().map(JsonObject.class::cast)
        .filter(d -> d.getString("dimension").equals("region+device")).findFirst().orElseThrow();
    List<WebElement> rows = browser.driver.findElements(By.cssSelector("#slices-region_device tbody tr"));
    assertEquals(cross.getJsonArray("values").size(), rows.size());
    assertEquals(6, rows.size(), "three regions by two devices");
    assertEquals(List.of("region", "device", "a exposures"), browser.driver
        .findElements(By.cssSelector("#slices-region_device thead th")).stream().limit(3).map(WebElement::getText).toList());
    for (int i = 0; i < rows.size(); i++) {
      JsonObject v = cross.getJsonArray("values").getJsonObject(i);
      WebElement row = rows.get(i);
      assertEquals(v.getString("value"), row.getAttribute("data-value"));
      List<WebElement> cells = row.findElements(By.cssSelector("th, td"));
      assertEquals(v.getJsonArray("values").getList(), List.of(cells.get(0).getText(), cells.get(1).getText()));
      for (Object o : v.getJsonArray("arms")) {
        JsonObject a = (JsonObject) o;
        assertEquals(String.valueOf(a.getLong("exposures")),
            row.findElement(By.cssSelector("td[data-arm='" + a.getString("arm") + "']")).getAttribute("data-value"));
      }
    }
    assertTrue(browser.has("#slices-region"), "the single dimension's table too");
    // the table view opens from the keyboard-reachable button
    WebElement toggle = browser.driver.findElement(By.id("toggle-traffic"));
    assertEquals("button", toggle.getTagName());
    toggle.click();
    assertTrue(browser.driver.findElement(By.id("table-traffic")).isDisplayed());
    assertEquals("true", toggle.getAttribute("aria-expanded"));
    assertNotNull(browser.driver.findElement(By.id("chart-traffic")).getAttribute("aria-label"));
    // healthy, with traffic: no SRM banner, no chart waiting for data, no error
    assertFalse(browser.has("#srm-banner"), "no SRM banner for a healthy experiment");
    assertFalse(browser.has(".empty"), "no \"No data yet\" on a page with traffic");
    assertFalse(browser.has(".error"), "no error box");
    // a viewer sees no operation buttons
    assertFalse(browser.has("#operations"), "no operations for a viewer");
    assertFalse(browser.has("#op-pause"));
    browser.screenshot("experiment");

    // per day: the same charts from the 1d series and results
    browser.driver.findElement(By.id("interval-1d")).click();
    browser.await("#interval-1d[aria-pressed='true']");
    for (String chart : List.of("traffic", "errors", "latency", "armmetric-click", "armmetric-cum-click",
        "effect-click")) {
      assertTrue(browser.awaitDrawn("#chart-" + chart) > 100, "1d " + chart);
    }
    assertEquals(600, seriesMatch(api("/v1/experiments/ranker/timeseries?interval=1d"),
        api("/v1/experiments/ranker/results?interval=1d")), "1d: every exposure");
    assertTrue(browser.table("#table-traffic").size() <= 2, "one day (two across midnight UTC)");
    browser.driver.findElement(By.id("interval-1m")).click();
    browser.await("#interval-1m[aria-pressed='true']");
    browser.awaitDrawn("#chart-traffic");
  }

  /**
   * Checks the ranker page's over-time tables against the time series and the results' overTime, row by row, and
   * returns the exposures the traffic table counts.
   */
  long seriesMatch(JsonObject ts, JsonObject results) {
    Map<String, Map<String, JsonObject>> series = new HashMap<>();
    for (String arm : List.of("a", "b", "c")) {
      for (Object o : ts.getJsonObject("arms").getJsonArray(arm)) {
        JsonObject row = (JsonObject) o;
        series.computeIfAbsent(row.getString("t"), t -> new HashMap<>()).put(arm, row);
      }
    }
    long weights = ts.getJsonObject("weightsBps").stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
    List<Map<String, String>> traffic = browser.table("#table-traffic");
    List<Map<String, String>> latency = browser.table("#table-latency");
    List<Map<String, String>> errors = browser.table("#table-errors");
    List<Map<String, String>> perArm = browser.table("#table-armmetric-click");
    List<Map<String, String>> cumulative = browser.table("#table-armmetric-cum-click");
    assertFalse(traffic.isEmpty());
    assertEquals(traffic.size(), latency.size());
    assertEquals(traffic.size(), perArm.size());
    Map<String, long[]> running = new HashMap<>();
    long total = 0;
    for (int i = 0; i < traffic.size(); i++) {
      String t = traffic.get(i).get("t");
      Map<String, JsonObject> api = series.get(t);
      assertNotNull(api, "interval " + t + " in the API's answer");
      long sum = api.values().stream().mapToLong(r -> r.getLong("exposures")).sum();
      for (String arm : List.of("a", "b", "c")) {
        JsonObject r = api.get(arm);
        String at = t + " " + arm;
        long exposures = r.getLong("exposures");
        assertEquals(exposures, Long.parseLong(traffic.get(i).get("exp_" + arm)), at);
        if (sum > 0) {
          assertEquals((double) exposures / sum, Double.parseDouble(traffic.get(i).get("share_" + arm)), 1e-12, at);
        }
        assertEquals(ts.getJsonObject("weightsBps").getLong(arm) / (double) weights,
            Double.parseDouble(traffic.get(i).get("plan_" + arm)), 1e-12, "planned weight from weightsBps " + at);
        assertEquals(number(r, "latencyP50Ms"), number(latency.get(i), "p50_" + arm), at + " p50");
        assertEquals(number(r, "latencyP99Ms"), number(latency.get(i), "p99_" + arm), at + " p99");
        assertEquals(number(r, "errorRate"), number(errors.get(i), "rate_" + arm), at + " error rate");
        assertEquals(r.getJsonObject("status").getLong("5xx"), Long.parseLong(errors.get(i).get("err_" + arm)), at);
        // click per arm per interval: the rate among the interval's exposures, mean +/- 1.96 sqrt(variance / n)
        JsonObject m = r.getJsonObject("metrics").getJsonObject("click");
        if (exposures > 0) {
          assertEquals(exposures, Long.parseLong(perArm.get(i).get("n_" + arm)), at);
          assertEquals(m.getDouble("mean"), Double.parseDouble(perArm.get(i).get("mean_" + arm)), at);
          double half = 1.96 * Math.sqrt(m.getDouble("variance") / exposures);
          assertEquals(m.getDouble("mean") - half, Double.parseDouble(perArm.get(i).get("low_" + arm)), 1e-12, at);
        } else {
          assertEquals("", perArm.get(i).get("n_" + arm), at);
        }
        long[] acc = running.computeIfAbsent(arm, k -> new long[2]);
        acc[0] += exposures;
        acc[1] += Math.min(exposures, m.getLong("n"));
        if (acc[0] > 0) {
          assertEquals(acc[0], Long.parseLong(cumulative.get(i).get("n_" + arm)), at + " cumulative");
          assertEquals((double) acc[1] / acc[0], Double.parseDouble(cumulative.get(i).get("mean_" + arm)), 1e-12,
              at + " cumulative");
        }
      }
      total += sum;
    }
    // treatment - control over time: every row of the results' overTime from the first with a trial
    JsonObject over = results.getJsonObject("overTime").getJsonObject("metrics").getJsonObject("click");
    List<Map<String, String>> effect = browser.table("#table-effect-click");
    for (String arm : List.of("b", "c")) {
      List<JsonObject> rows = over.getJsonArray(arm).stream().map(JsonObject.class::cast)
          .dropWhile(r -> r.getJsonObject("interval").getJsonObject("control").getLong("n") == 0
              && r.getJsonObject("interval").getJsonObject("treatment").getLong("n") == 0)
          .toList();
      assertFalse(rows.isEmpty(), arm);
      assertEquals(rows.size(), effect.size(), arm);
      for (int i = 0; i < rows.size(); i++) {
        JsonObject r = rows.get(i);
        Map<String, String> row = effect.get(i);
        assertEquals(r.getString("t"), row.get("t"));
        assertEquals(number(r.getJsonObject("interval"), "difference"), number(row, "int_" + arm), arm);
        assertEquals(number(r.getJsonObject("interval"), "ciLow"), number(row, "intlo_" + arm), arm);
        assertEquals(number(r.getJsonObject("cumulative"), "difference"), number(row, "cum_" + arm), arm);
        assertEquals(number(r.getJsonObject("cumulative"), "ciHigh"), number(row, "cumhi_" + arm), arm);
        assertEquals(number(r.getJsonObject("cumulative"), "pValue"), number(row, "cump_" + arm), arm);
      }
    }
    return total;
  }

  /** A JSON number, or null when absent or null. */
  static Double number(JsonObject o, String key) {
    return o.getValue(key) == null ? null : o.getDouble(key);
  }

  /** A table cell's raw number, or null when empty. */
  static Double number(Map<String, String> row, String key) {
    String v = row.get(key);
    return v == null || v.isEmpty() ? null : Double.parseDouble(v);
  }

  static JsonObject metric(JsonObject arm, String name) {
    return arm.getJsonArray("metrics").stream().map(JsonObject.class::cast)
        .filter(x -> x.getString("metric").equals(name)).findFirst().orElseThrow();
  }

  @Test
  @Order(5)
  void theSrmBannerAppearsForTheMismatchedExperiment() {
    browser.open(ui + "#/experiments/skewed");
    WebElement banner = browser.await("#srm-banner");
    assertTrue(banner.getText().contains("Sample ratio mismatch"), banner.getText());
    JsonObject results = api("/v1/experiments/skewed/results");
    assertEquals("mismatch", results.getJsonObject("srm").getString("verdict"));
    JsonArray arms = results.getJsonObject("srm").getJsonArray("arms");
    List<WebElement> observed = browser.driver.findElements(By.cssSelector("#srm-table tbody td[data-value]"));
    assertEquals(arms.size(), observed.size());
    for (int i = 0; i < arms.size(); i++) {
      assertEquals(arms.getJsonObject(i).getLong("observed"), Long.parseLong(observed.get(i).getAttribute("data-value")));
    }
    browser.awaitDrawn("#chart-traffic");
    browser.screenshot("srm", null, 900);
  }

  @Test
  @Order(6)
  void aBanditPageDrawsThePosteriorsFromTheirParameters() {
    browser.open(ui + "#/experiments/reco");
    assertTrue(browser.awaitDrawn("#chart-posterior") > 100);
    assertTrue(browser.awaitDrawn("#chart-allocation") > 100);
    JsonObject bandit = api("/v1/experiments/reco/results").getJsonObject("bandit");
    assertEquals("bernoulli", bandit.getString("kind"));
    List<Map<String, String>> table = browser.table("#table-posterior");
    for (int i = 0; i < 2; i++) {
      JsonObject arm = bandit.getJsonArray("arms").getJsonObject(i);
      JsonObject p = arm.getJsonObject("posterior");
      assertEquals(arm.getString("arm"), table.get(i).get("arm"));
      assertEquals(p.getDouble("alpha"), Double.parseDouble(table.get(i).get("alpha")));
      assertEquals(p.getDouble("beta"), Double.parseDouble(table.get(i).get("beta")));
      double a = p.getDouble("alpha");
      double b = p.getDouble("beta");
      assertEquals(a / (a + b), Double.parseDouble(table.get(i).get("mean")), 1e-12);
    }
    // the JS density against the closed form at the mean of Beta(2, 3): 12 x (1 - x)^2 at 0.4 = 1.728
    Object d = browser.js("return import('./densities.js').then(m => m.betaDensity(0.4, 2, 3))");
    assertEquals(1.728, ((Number) d).doubleValue(), 1e-9);
    // not sticky: no first exposures to count days from, said as such (not as an empty window)
    assertTrue(browser.has("#novelty-not-sticky"), "the novelty check says why it does not apply");
    assertFalse(browser.has(".empty"), "no \"No data yet\" on a page with traffic");
    browser.screenshot("bandit", "#fig-posterior", 700);
  }

  @Test
  @Order(7)
  void theRolloutAndShadowViewsAndTheConfigHistory() {
    browser.open(ui + "#/experiments/summ");
    browser.await("#rollout-history");
    JsonObject rollout = api("/admin/v1/experiments/summ/rollout");
    assertEquals(rollout.getJsonObject("plan").getJsonArray("steps").size(),
        browser.driver.findElements(By.cssSelector("#rollout-steps li")).size());
    assertTrue(browser.driver.findElement(By.id("rollout-state")).getText()
        .contains(rollout.getJsonObject("state").getString("phase").replace('_', ' ')));
    browser.screenshot("rollout");

    browser.open(ui + "#/experiments/fraud");
    browser.await("#fig-shadow-now-mirror table");
    assertTrue(browser.awaitDrawn("#chart-shadow-mirror") > 100);
    JsonArray shadow = api("/v1/experiments/fraud/timeseries?interval=1m").getJsonObject("shadows").getJsonArray("mirror");
    List<JsonObject> mirrored = shadow.stream().map(JsonObject.class::cast).dropWhile(r -> r.getLong("mirrored") == 0)
        .toList();
    List<Map<String, String>> table = browser.table("#table-shadow-mirror");
    assertEquals(mirrored.size(), table.size());
    long copies = 0;
    for (int i = 0; i < table.size(); i++) {
      JsonObject r = mirrored.get(i);
      Map<String, String> row = table.get(i);
      assertEquals(r.getString("t"), row.get("t"));
      for (String key : List.of("mirrored", "compared", "agreements")) {
        assertEquals(r.getLong(key), Long.parseLong(row.get(key)), r.getString("t") + " " + key);
      }
      assertEquals(number(r, "agreementRate"), number(row, "agreementRate"), r.getString("t"));
      assertEquals(number(r, "latencyDiffMeanMs"), number(row, "latencyDiffMeanMs"), r.getString("t"));
      copies += r.getLong("mirrored");
    }
    assertTrue(copies > 0, "copies mirrored: " + copies);
    // the keyboard opens a chart's table
    WebElement toggle = browser.driver.findElement(By.id("toggle-shadow-mirror"));
    toggle.sendKeys(Keys.ENTER);
    assertTrue(browser.driver.findElement(By.id("table-shadow-mirror")).isDisplayed());
    assertFalse(browser.has(".empty"), "no \"No data yet\" on a page with traffic");
    browser.screenshot("shadow");

    browser.open(ui + "#/config");
    browser.await("#config-history tbody tr");
    JsonObject history = api("/admin/v1/config/history?limit=100");
    assertEquals(history.getJsonArray("versions").size(),
        browser.driver.findElements(By.cssSelector("#config-history tbody tr")).size());
    WebElement diff = browser.waiting().until(x -> {
      WebElement pre = x.findElement(By.id("config-diff"));
      return pre.findElements(By.cssSelector(".add")).isEmpty() ? null : pre;
    });
    assertTrue(diff.getText().contains("+"), diff.getText());
    browser.screenshot("config");
  }

  /**
   * The novelty check with days since first exposure, on a second gateway whose clock the test moves a day at a time
   * (as NoveltyApiTest does) while the same units come back and the treatment's lift fades: the novelty warning, the
   * effect by day drawn and its table equal to the results API's, and the trend's verdict. No sign-in there
   * ({@code admin.auth} not set, loopback).
   */
  @Test
  @Order(8)
  void aFadingEffectShowsInTheNoveltyCheckByDaysSinceFirstExposure() throws Exception {
    TimeSeriesApiTest.HandClock clock = new TimeSeriesApiTest.HandClock(Instant.parse("2026-03-02T10:00:30Z"));
    String yaml = """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes: [ { pathPrefix: /v2/, experiment: fading } ]
        experiments:
          - id: fading
            variants:
              - { id: control, endpoint: a, weight: 5000 }
              - { id: treatment, endpoint: b, weight: 5000 }
            metrics: [ { name: converted, kind: binary, primary: true } ]
            attributionWindow: 1h
        """.formatted(fx.backend("na").url(), fx.backend("nb").url());
    Gateway days = fx.own(Gateway.start(Harness.parse(yaml),
        cfg -> new InMemoryStickyStore(10_000, Duration.ofDays(30), System::nanoTime, clock::millis),
        ThreadLocalRandom::current, clock).await());
    days.attachInMemory(yaml).toCompletableFuture().join(); // the control plane and rollouts, as users start it
    for (int day = 0; day < 4; day++) {
      if (day > 0) {
        clock.now = clock.now.plus(Duration.ofDays(1));
      }
      JsonArray events = new JsonArray();
      for (int u = 0; u < 200; u++) {
        Harness.Reply r = h.post(days.port(), "/v2/infer", "user-" + u, "{}");
        // control converts 10% every day, the treatment 50% on day 0 fading by 15 points a day
        int percent = r.header("X-Vane-Variant").equals("control") ? 10 : Math.max(10, 50 - 15 * day);
        if ((u * 37) % 100 < percent) {
          events.add(new JsonObject().put("requestId", r.header("X-Request-Id")).put("eventId", day + "-" + u)
              .put("metric", "converted").put("value", 1));
        }
      }
      Harness.Reply fb = h.send(days.adminPort(), HttpMethod.POST, "/v1/feedback",
          Map.of("Content-Type", "application/json"), Buffer.buffer(new JsonObject().put("events", events).encode()));
      assertEquals(200, fb.status(), fb.body().toString());
    }
    browser.open("http://127.0.0.1:" + days.adminPort() + "/ui/#/experiments/fading");
    WebElement warning = browser.await(".novelty-warning");
    assertTrue(warning.getText().contains("Novelty effect") && warning.getText().contains("per day"), warning.getText());
    assertTrue(browser.awaitDrawn("#chart-novelty-treatment") > 100);
    JsonObject results = h.get(days.adminPort(), "/v1/experiments/fading/results").json();
    JsonObject t = results.getJsonObject("novelty").getJsonObject("byTreatment").getJsonObject("treatment");
    JsonArray byDay = t.getJsonArray("byDay");
    List<Map<String, String>> table = browser.table("#table-novelty-treatment");
    assertEquals(List.of("0", "1", "2", "3"), table.stream().map(r -> r.get("day")).toList());
    for (int i = 0; i < byDay.size(); i++) {
      JsonObject d = byDay.getJsonObject(i);
      assertEquals(d.getJsonObject("control").getLong("n"), Long.parseLong(table.get(i).get("nc")));
      assertEquals(d.getJsonObject("treatment").getDouble("mean"), Double.parseDouble(table.get(i).get("mt")));
      assertEquals(d.getDouble("difference"), Double.parseDouble(table.get(i).get("difference")));
      assertEquals(d.getDouble("ciHigh"), Double.parseDouble(table.get(i).get("high")));
    }
    assertTrue(t.getJsonObject("trend").getBoolean("significant"), t.encode());
    String verdict = browser.driver.findElement(By.id("novelty-trend-treatment")).getText();
    assertTrue(verdict.contains("over 4 days: significant"), verdict);
    browser.screenshot("novelty", "#novelty", 700);
    browser.open(ui + "#/experiments");
    browser.await("#experiments-table");
  }

  @Test
  @Order(9)
  void aTokenWithoutTheViewerRoleGetsTheForbiddenPage() {
    refusalsExpected = true;
    signOut();
    signIn(FEEDBACK);
    WebElement msg = browser.await("#forbidden-message");
    assertTrue(msg.getText().contains("lacks the role viewer"), msg.getText());
    assertFalse(browser.has("canvas"), "no chart on a refused page");
    browser.screenshot("forbidden", null, 600);
  }

  @Test
  @Order(10)
  void anOperatorPausesAnExperimentAndTrafficGoesToTheControl() throws Exception {
    signOut();
    signIn(OPERATOR);
    browser.await("#experiments-table");
    browser.open(ui + "#/experiments/fraud");
    browser.await("#op-pause").click();
    WebElement dialog = browser.await("dialog#confirm[open]");
    assertTrue(dialog.getText().contains("served by the control arm"), dialog.getText());
    browser.driver.findElement(By.id("confirm-reason")).sendKeys("browser test");
    browser.screenshot("pause-confirm", null, 740); // the viewport: the modal backdrop covers no more
    JsonObject before = api("/v1/experiments/fraud");
    browser.driver.findElement(By.id("confirm-ok")).click();
    browser.await("#experiment-title .status-paused");
    browser.await("#op-resume");
    JsonObject paused = api("/v1/experiments/fraud");
    assertTrue(paused.getBoolean("paused"));
    for (int u = 0; u < 40; u++) {
      Harness.Reply r = h.post(gw.port(), "/fraud/infer", "user-" + u, "{}");
      assertEquals("champion", r.header("X-Vane-Variant"), "served by the control while paused");
    }
    JsonObject after = api("/v1/experiments/fraud");
    assertEquals(requests(before, "champion") + 40, requests(after, "champion"));
    assertEquals(requests(before, "canary"), requests(after, "canary"));
    JsonObject audit = call(OPERATOR, HttpMethod.GET, "/admin/v1/audit?limit=5", null).json();
    assertTrue(audit.encode().contains("experiment.pause") && audit.encode().contains("oscar"), audit.encode());
    browser.screenshot("paused");
  }

  @Test
  @Order(11)
  void screenshotsWereSaved() throws Exception {
    for (String name : List.of("signin", "signin-401", "experiments", "experiment", "srm", "bandit", "rollout",
        "config", "shadow", "novelty", "forbidden", "pause-confirm", "paused")) {
      assertTrue(Files.size(Browser.SCREENSHOTS.resolve(name + ".png")) > 1000, name);
    }
  }

  static long requests(JsonObject experiment, String arm) {
    for (Object o : experiment.getJsonArray("arms")) {
      JsonObject a = (JsonObject) o;
      if (a.getString("id").equals(arm)) {
        return a.getLong("requests");
      }
    }
    throw new AssertionError("no arm " + arm + " in " + experiment);
  }
}
