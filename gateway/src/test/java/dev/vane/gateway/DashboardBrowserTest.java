package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * the experiments list, an experiment's charts (drawn, and their tables equal to the API's numbers), the SRM banner
 * for a mismatch engineered with sticky units and a ramp (and not for a healthy experiment), the bandit's posteriors,
 * the rollout and config pages, roles (no operation buttons for a viewer, 403 as a page, 401 as the sign-in page), an
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
            slices: [ { name: region, header: X-Region, maxValues: 4 } ]
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
    List<CompletableFuture<Void>> clients = List.of(CompletableFuture.runAsync(() -> {
      SplittableRandom rnd = new SplittableRandom(1);
      for (int round = 0; round < 2; round++) {
        for (int u = 0; u < 300; u++) {
          Harness.Reply r = h.send(gw.port(), HttpMethod.POST, "/ranker/infer",
              Map.of("X-User-Id", "user-" + u, "X-Region", regions[u % 3]), Buffer.buffer("{}"));
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
    for (String chart : List.of("traffic", "errors", "latency", "metric-click", "metric-complaints")) {
      assertTrue(browser.awaitDrawn("#chart-" + chart) > 100, chart);
    }
    // the traffic chart's table against the time-series API, interval by interval
    JsonObject ts = api("/v1/experiments/ranker/timeseries?interval=1m");
    Map<String, Map<String, Long>> exposures = new HashMap<>();
    for (String arm : List.of("a", "b", "c")) {
      for (Object o : ts.getJsonObject("arms").getJsonArray(arm)) {
        JsonObject row = (JsonObject) o;
        exposures.computeIfAbsent(row.getString("t"), t -> new HashMap<>()).put(arm, row.getLong("exposures"));
      }
    }
    List<Map<String, String>> traffic = browser.table("#table-traffic");
    assertFalse(traffic.isEmpty());
    long total = 0;
    for (Map<String, String> row : traffic) {
      Map<String, Long> api = exposures.get(row.get("t"));
      assertNotNull(api, "interval " + row.get("t") + " in the API's answer");
      long sum = api.values().stream().mapToLong(Long::longValue).sum();
      for (String arm : List.of("a", "b", "c")) {
        assertEquals(api.get(arm), Long.parseLong(row.get("exp_" + arm)), row.get("t") + " " + arm);
        if (sum > 0) {
          assertEquals((double) api.get(arm) / sum, Double.parseDouble(row.get("share_" + arm)), 1e-12);
        }
      }
      assertEquals(List.of(0.5, 0.3, 0.2), List.of(Double.parseDouble(row.get("plan_a")),
          Double.parseDouble(row.get("plan_b")), Double.parseDouble(row.get("plan_c"))));
      total += sum;
    }
    assertEquals(600, total, "every exposure of the two rounds");
    // the metric chart's table against the results API
    JsonObject results = api("/v1/experiments/ranker/results");
    List<Map<String, String>> click = browser.table("#table-metric-click");
    JsonArray arms = results.getJsonArray("arms");
    assertEquals(arms.size(), click.size());
    for (int i = 0; i < arms.size(); i++) {
      JsonObject arm = arms.getJsonObject(i);
      JsonObject m = arm.getJsonArray("metrics").stream().map(JsonObject.class::cast)
          .filter(x -> x.getString("metric").equals("click")).findFirst().orElseThrow();
      Map<String, String> row = click.get(i);
      assertEquals(arm.getString("arm"), row.get("arm"));
      assertEquals(m.getLong("trials"), Long.parseLong(row.get("n")));
      assertEquals(m.getLong("successes"), Long.parseLong(row.get("successes")));
      assertEquals(m.getDouble("rate"), Double.parseDouble(row.get("estimate")));
      assertEquals(m.getJsonObject("interval").getDouble("low"), Double.parseDouble(row.get("low")));
      assertEquals(m.getJsonObject("interval").getDouble("high"), Double.parseDouble(row.get("high")));
    }
    // the error chart's table: 5xx / requests per interval
    for (Map<String, String> row : browser.table("#table-errors")) {
      long req = Long.parseLong(row.get("req_b"));
      if (req > 0) {
        assertEquals((double) Long.parseLong(row.get("err_b")) / req, Double.parseDouble(row.get("rate_b")), 1e-12);
      }
    }
    // the table view opens from the keyboard-reachable button
    WebElement toggle = browser.driver.findElement(By.id("toggle-traffic"));
    assertEquals("button", toggle.getTagName());
    toggle.click();
    assertTrue(browser.driver.findElement(By.id("table-traffic")).isDisplayed());
    assertEquals("true", toggle.getAttribute("aria-expanded"));
    assertNotNull(browser.driver.findElement(By.id("chart-traffic")).getAttribute("aria-label"));
    // healthy: no SRM banner; not yet given by this gateway: "no data yet", not an error
    assertFalse(browser.has("#srm-banner"), "no SRM banner for a healthy experiment");
    assertTrue(browser.has("#empty-effect-click"), "results over time: no data yet");
    assertFalse(browser.has(".error"), "no error box");
    assertTrue(browser.has("table.slices"), "slices table");
    // a viewer sees no operation buttons
    assertFalse(browser.has("#operations"), "no operations for a viewer");
    assertFalse(browser.has("#op-pause"));
    browser.screenshot("experiment");
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
    assertTrue(browser.has("#empty-shadow-mirror"), "shadow over time: no data yet");
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
   * The fields the time-series and results APIs are gaining (per-interval quantiles, outcome sums, weights, shadow
   * series, results over time), added to the real answers by a fetch wrapper in the page: the charts that show "No
   * data yet" today draw them, and their tables hold the numbers given.
   */
  @Test
  @Order(8)
  void chartsThatWaitForNewFieldsDrawThemOnceTheyAreThere() {
    browser.open(ui + "#/experiments");
    browser.await("#experiments-table");
    browser.js("""
        const real = window.fetch.bind(window);
        window.fetch = async (url, init) => {
          const res = await real(url, init);
          const u = String(url);
          if (!res.ok || !(u.includes('/timeseries') || u.includes('/results?'))) return res;
          const j = await res.clone().json();
          if (u.includes('/timeseries')) {
            j.weightsBps = {a: 4000, b: 4000, c: 2000, champion: 5000, canary: 5000};
            const first = Object.values(j.arms)[0];
            for (const rows of Object.values(j.arms)) {
              for (const r of rows) {
                r.latencyP50Ms = r.latencyMeanMs;
                r.latencyP99Ms = r.latencyMeanMs === null ? null : 3 * r.latencyMeanMs;
                r.metrics = r.exposures ? { click: { n: r.exposures, sum: r.exposures / 10, mean: 0.1, variance: 0.09 } } : {};
              }
            }
            j.shadows = { mirror: first.map(r => ({ t: r.t, mirrored: r.requests, compared: r.requests,
              agreements: r.requests, agreementRate: r.requests ? 0.75 : null, latencyDiffMeanMs: 1.5 })) };
          } else {
            const p = (t, d) => ({ t, interval: { control: { n: 100, mean: 0.1 }, treatment: { n: 100, mean: 0.1 + d },
              difference: d, ciLow: d - 0.05, ciHigh: d + 0.05, pValue: 0.2 },
              cumulative: { difference: d / 2, ciLow: d / 2 - 0.03, ciHigh: d / 2 + 0.03, pValue: 0.3 } });
            j.overTime = { interval: '1h', from: '2026-12-06T00:00:00Z', to: '2026-12-06T03:00:00Z', metrics: { click: {
              b: [p('2026-12-06T00:00:00Z', 0.02), p('2026-12-06T01:00:00Z', 0.04), p('2026-12-06T02:00:00Z', 0.06)],
              c: [p('2026-12-06T00:00:00Z', -0.01), p('2026-12-06T01:00:00Z', 0.0), p('2026-12-06T02:00:00Z', 0.01)] } } };
          }
          return new Response(JSON.stringify(j), { status: 200, headers: { 'Content-Type': 'application/json' } });
        };""");
    browser.js("location.hash = '#/experiments/ranker'");
    browser.await("#chart-armmetric-click");
    for (String chart : List.of("traffic", "latency", "armmetric-click", "effect-click")) {
      assertTrue(browser.awaitDrawn("#chart-" + chart) > 100, chart);
    }
    List<Map<String, String>> traffic = browser.table("#table-traffic");
    assertEquals(0.4, Double.parseDouble(traffic.get(0).get("plan_a")), 1e-12, "planned weights from weightsBps");
    List<Map<String, String>> latency = browser.table("#table-latency");
    Map<String, String> row = latency.get(0);
    assertEquals(3 * Double.parseDouble(row.get("p50_a")), Double.parseDouble(row.get("p99_a")), 1e-9, "p50 and p99");
    List<Map<String, String>> effect = browser.table("#table-effect-click");
    assertEquals(3, effect.size());
    assertEquals(List.of(0.03, 0.0, 0.06), List.of(Double.parseDouble(effect.get(2).get("cum_b")),
        Double.parseDouble(effect.get(2).get("cumlo_b")), Double.parseDouble(effect.get(2).get("cumhi_b"))));
    List<Map<String, String>> perArm = browser.table("#table-armmetric-click");
    assertEquals(0.1 - 1.96 * Math.sqrt(0.09 / Long.parseLong(perArm.get(0).get("n_a"))),
        Double.parseDouble(perArm.get(0).get("low_a")), 1e-12);
    // cumulative: the intervals' counts summed, the mean of equal means unchanged
    List<Map<String, String>> cumulative = browser.table("#table-armmetric-cum-click");
    long n = perArm.stream().mapToLong(r -> r.get("n_a").isEmpty() ? 0 : Long.parseLong(r.get("n_a"))).sum();
    assertEquals(n, Long.parseLong(cumulative.get(cumulative.size() - 1).get("n_a")));
    assertEquals(0.1, Double.parseDouble(cumulative.get(cumulative.size() - 1).get("mean_a")), 1e-12);
    assertTrue(browser.awaitDrawn("#chart-armmetric-cum-click") > 100);
    assertFalse(browser.has("#empty-effect-click") || browser.has("#empty-armmetric-click") || browser.has(".note"),
        "nothing waits for data any more");
    browser.screenshot("experiment-new-fields");
    browser.js("location.hash = '#/experiments/fraud'");
    assertTrue(browser.awaitDrawn("#chart-shadow-mirror") > 100);
    assertEquals("0.75", browser.table("#table-shadow-mirror").get(0).get("agreementRate"));
    // the keyboard opens a chart's table
    WebElement toggle = browser.driver.findElement(By.id("toggle-shadow-mirror"));
    toggle.sendKeys(Keys.ENTER);
    assertTrue(browser.driver.findElement(By.id("table-shadow-mirror")).isDisplayed());
    browser.driver.navigate().refresh(); // the real fetch again; the token stays in the tab
    browser.await("#fig-traffic");
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
    browser.screenshot("pause-confirm", null, 900);
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
        "config", "forbidden", "pause-confirm", "paused")) {
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
