package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} on the admin listener: the viewer role (401/403 counted), OpenMetrics on {@code Accept},
 * open with {@code authenticate: false}, 404 when disabled, counters that keep growing across experiment versions,
 * and an exposition {@code promtool check metrics} accepts.
 */
class MetricsEndpointTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");
  static final String VIEWER = "viewer-token-for-metrics";
  static final String FEEDER = "feedback-token-for-metrics";

  static String yaml(int percent, String metrics) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        admin:
          auth:
            tokens:
              - { name: vera, token: %s, roles: [viewer] }
              - { name: fred, token: %s, roles: [feedback] }
        endpoints: [ { id: a, url: "%s" }, { id: b, url: "%s" } ]
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments:
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: %d }
        observability: { metrics: %s }
        """.formatted(VIEWER, FEEDER, a.url(), b.url(), percent, metrics);
  }

  Harness.Reply scrape(Gateway gw, String token, String accept) {
    Map<String, String> headers = new java.util.HashMap<>();
    if (token != null) {
      headers.put("Authorization", "Bearer " + token);
    }
    if (accept != null) {
      headers.put("Accept", accept);
    }
    return h.send(gw.adminPort(), HttpMethod.GET, "/metrics", headers, null);
  }

  /** The value of the one sample named {@code series} exactly (name and labels as exposed), or fails. */
  static double value(String exposition, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
    assertTrue(m.find(), "no sample " + series + " in:\n" + exposition);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void metricsNeedTheViewerRoleAndRefusalsAreCounted() throws Exception {
    Gateway gw = fx.gateway(yaml(20, "{}"));
    assertEquals(401, scrape(gw, null, null).status());
    assertEquals(401, scrape(gw, "wrong", null).status());
    assertEquals(403, scrape(gw, FEEDER, null).status());
    Harness.Reply ok = scrape(gw, VIEWER, null);
    assertEquals(200, ok.status());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", ok.headers().get("Content-Type"));
    String text = ok.body().toString();
    assertEquals(2, value(text, "vane_admin_denied_total{status=\"401\"}"));
    assertEquals(1, value(text, "vane_admin_denied_total{status=\"403\"}"));
    assertEquals(1, value(text, "vane_experiment_info{experiment=\"e\",version=\""
        + gw.config().routing().experiment("e").version() + "\"}"));
    assertEquals(20, value(text, "vane_canary_weight{experiment=\"e\"}"));
    assertTrue(text.contains("jvm_memory_used_bytes{"), "JVM binders");
    assertTrue(text.contains("process_cpu_usage "), "process binders");
    assertTrue(text.contains("vane_connections_open{listener=\"admin\"}"), "connection gauges");
  }

  @Test
  void openMetricsWhenTheScraperAsksForIt() throws Exception {
    Gateway gw = fx.gateway(yaml(20, "{}"));
    Harness.Reply r = scrape(gw, VIEWER,
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    assertEquals(200, r.status());
    assertTrue(r.headers().get("Content-Type").startsWith("application/openmetrics-text; version=1.0.0"),
        r.headers().get("Content-Type"));
    String text = r.body().toString();
    assertTrue(text.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
    assertTrue(text.contains("# TYPE vane_requests counter"), "OpenMetrics names the counter family without _total");
  }

  @Test
  void openWithoutAuthenticationAndNotFoundWhenDisabled() throws Exception {
    Gateway open = fx.gateway(yaml(20, "{ authenticate: false }"));
    assertEquals(200, scrape(open, null, null).status());
    Gateway off = fx.gateway(yaml(20, "{ enabled: false }"));
    Harness.Reply r = scrape(off, VIEWER, null);
    assertEquals(404, r.status());
    assertEquals("not_found", r.json().getString("error"), r.body().toString());
  }

  @Test
  void countersKeepGrowingWhenTheExperimentChangesVersion() throws Exception {
    Gateway gw = fx.gateway(yaml(50, "{ authenticate: false }"));
    for (int i = 0; i < 40; i++) {
      assertEquals(200, h.get(gw.port(), "/e/x").status());
    }
    String before = scrape(gw, null, null).body().toString();
    double a1 = value(before, "vane_requests_total{arm=\"champion\",experiment=\"e\",status_class=\"2xx\"}");
    double b1 = value(before, "vane_requests_total{arm=\"canary\",experiment=\"e\",status_class=\"2xx\"}");
    assertEquals(40, a1 + b1);
    assertEquals(40, value(before, "vane_request_duration_seconds_count{arm=\"champion\",experiment=\"e\"}")
        + value(before, "vane_request_duration_seconds_count{arm=\"canary\",experiment=\"e\"}"));
    String v1 = gw.config().routing().experiment("e").version();
    gw.apply(Harness.parse(yaml(10, "{ authenticate: false }")));
    assertNotEquals(v1, gw.config().routing().experiment("e").version(), "the experiment has a new version");
    for (int i = 0; i < 10; i++) {
      assertEquals(200, h.get(gw.port(), "/e/x").status());
    }
    String after = scrape(gw, null, null).body().toString();
    double a2 = value(after, "vane_requests_total{arm=\"champion\",experiment=\"e\",status_class=\"2xx\"}");
    double b2 = value(after, "vane_requests_total{arm=\"canary\",experiment=\"e\",status_class=\"2xx\"}");
    assertTrue(a2 >= a1 && b2 >= b1, "no counter goes backwards: " + a1 + "->" + a2 + ", " + b1 + "->" + b2);
    assertEquals(50, a2 + b2, "summed over both versions");
    assertEquals(10, value(after, "vane_canary_weight{experiment=\"e\"}"));
  }

  /**
   * The drift gauges are the results' {@code drift} of each treatment against the control (same sketches, read at
   * scrape time): compared exactly with {@code /results} after the same requests, and they pass promtool.
   */
  @Test
  void responseDriftGaugesAreTheResultsDrift() throws Exception {
    String config = yaml(50, "{ authenticate: false }").replace("percent: 50 }\n",
        "percent: 50 }\n    responseMetrics: [ { name: p, pointer: /outputs/0/data/0 } ]\n");
    Gateway gw = fx.gateway(config);
    try {
      a.mode = TestBackend.Mode.KSERVE;
      b.mode = TestBackend.Mode.KSERVE;
      for (int k = 0; k < 5; k++) {
        a.kserveData = "[" + (0.1 + 0.1 * k) + "]";
        b.kserveData = "[" + (0.3 + 0.1 * k) + "]";
        for (int i = 0; i < 20; i++) {
          assertEquals(200, h.get(gw.port(), "/e/x").status());
        }
      }
      String text = scrape(gw, null, null).body().toString();
      io.vertx.core.json.JsonObject drift = h.send(gw.adminPort(), HttpMethod.GET, "/v1/experiments/e/results",
          Map.of("Authorization", "Bearer " + VIEWER), null).json().getJsonObject("responseMetrics")
          .getJsonArray("metrics").getJsonObject(0).getJsonArray("comparisons").getJsonObject(0)
          .getJsonObject("drift");
      String labels = "{arm=\"canary\",experiment=\"e\",metric=\"p\"}";
      assertEquals(drift.getDouble("ksStatistic"), value(text, "vane_response_drift_ks_statistic" + labels), 1e-12);
      assertEquals(drift.getDouble("ksPValue"), value(text, "vane_response_drift_ks_p_value" + labels), 1e-12);
      assertEquals(drift.getDouble("psi"), value(text, "vane_response_drift_psi" + labels), 1e-12);
      assertTrue(drift.getDouble("ksStatistic") > 0.2, "a shifted canary drifts: " + drift);
      assertTrue(!text.contains("vane_response_drift_psi{arm=\"champion\""), "no series for the control");
      promtoolAccepts(text);
    } finally {
      a.reset();
      b.reset();
    }
  }

  /**
   * The reference-drift gauges are each arm's results {@code referenceDrift} (the values after the arm's reference
   * window against those within it, same sketches, read at scrape time): no series while the window is open, then
   * equal to {@code /results} to 1e-12 for both arms after the counters' clock passes the window's end, and they
   * pass promtool.
   */
  @Test
  void referenceDriftGaugesAreTheResultsReferenceDrift() throws Exception {
    String config = yaml(50, "{ authenticate: false }").replace("percent: 50 }\n",
        "percent: 50 }\n    responseMetrics: [ { name: p, pointer: /outputs/0/data/0, driftReference: 3s } ]\n");
    TimeSeriesApiTest.HandClock clock =
        new TimeSeriesApiTest.HandClock(java.time.Instant.parse("2026-03-02T10:00:00Z"));
    Gateway gw = fx.own(Gateway.start(Harness.parse(config), dev.vane.gateway.runtime.Stores::forConfig,
        java.util.concurrent.ThreadLocalRandom::current, clock).await());
    try {
      a.mode = TestBackend.Mode.KSERVE;
      b.mode = TestBackend.Mode.KSERVE;
      // within the window both arms answer 0.1..0.5; after it the same users come back (same arms, by the hash of
      // the user id) and the champion answers them as before (D = 0), the canary 0.3 higher
      for (double shift : new double[] {0, 0.3}) {
        for (int k = 0; k < 5; k++) {
          a.kserveData = "[" + (0.1 + 0.1 * k) + "]";
          b.kserveData = "[" + (0.1 + shift + 0.1 * k) + "]";
          for (int i = 0; i < 20; i++) {
            assertEquals(200, h.send(gw.port(), HttpMethod.GET, "/e/x", Map.of("X-User-Id", "u" + k + "-" + i), null)
                .status());
          }
        }
        // a value counts in the window by the clock when it is measured, just after the client's last byte
        awaitMeasured(gw, shift == 0 ? 100 : 200);
        if (shift == 0) {
          String open = scrape(gw, null, null).body().toString();
          assertTrue(!open.contains("vane_response_reference_drift_ks_statistic{"),
              "no series while the window is open");
          clock.now = clock.now.plusSeconds(4);
        }
      }
      String text = scrape(gw, null, null).body().toString();
      io.vertx.core.json.JsonArray arms = h.send(gw.adminPort(), HttpMethod.GET, "/v1/experiments/e/results",
          Map.of("Authorization", "Bearer " + VIEWER), null).json().getJsonObject("responseMetrics")
          .getJsonArray("metrics").getJsonObject(0).getJsonArray("arms");
      assertEquals(2, arms.size());
      for (Object o : arms) {
        io.vertx.core.json.JsonObject arm = (io.vertx.core.json.JsonObject) o;
        io.vertx.core.json.JsonObject drift = arm.getJsonObject("referenceDrift");
        assertTrue(drift.getJsonArray("reasons").isEmpty(), "both windows have values: " + drift);
        String labels = "{arm=\"" + arm.getString("arm") + "\",experiment=\"e\",metric=\"p\"}";
        assertEquals(drift.getDouble("ksStatistic"),
            value(text, "vane_response_reference_drift_ks_statistic" + labels), 1e-12);
        assertEquals(drift.getDouble("ksPValue"), value(text, "vane_response_reference_drift_ks_p_value" + labels),
            1e-12);
        assertEquals(drift.getDouble("psi"), value(text, "vane_response_reference_drift_psi" + labels), 1e-12);
        assertEquals(arm.getString("arm").equals("canary"), drift.getBoolean("flagged"),
            "only the canary moved: " + drift);
      }
      promtoolAccepts(text);
    } finally {
      a.reset();
      b.reset();
    }
  }

  /** Waits (at most 10 s) until the results count {@code n} values of the first response metric over the arms. */
  void awaitMeasured(Gateway gw, long n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      long seen = 0;
      for (Object o : h.send(gw.adminPort(), HttpMethod.GET, "/v1/experiments/e/results",
          Map.of("Authorization", "Bearer " + VIEWER), null).json().getJsonObject("responseMetrics")
          .getJsonArray("metrics").getJsonObject(0).getJsonArray("arms")) {
        seen += ((io.vertx.core.json.JsonObject) o).getLong("n");
      }
      if (seen == n) {
        return;
      }
      assertTrue(System.currentTimeMillis() < deadline, "measured " + seen + " of " + n);
      Thread.sleep(20);
    }
  }

  /**
   * The README's metric table names every {@code vane_} family the gateway exposes and every one the shipped
   * dashboard and alerting rules use (a histogram's {@code _bucket}/{@code _count}/{@code _sum} and a counter's
   * {@code _total} are its family's).
   */
  @Test
  void theReadmeTableNamesEveryExposedAndReferencedMetric() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    java.util.Set<String> documented = new java.util.TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `(vane_[a-z_]+)` \\|").matcher(readme);
    while (row.find()) {
      documented.add(row.group(1));
    }
    assertTrue(documented.size() >= 30, "the table was read: " + documented);
    Gateway gw = fx.gateway(yaml(20, "{ authenticate: false }"));
    String text = scrape(gw, null, null).body().toString();
    java.util.Set<String> used = new java.util.TreeSet<>();
    Matcher type = Pattern.compile("(?m)^# TYPE (vane_[a-z_]+) ").matcher(text);
    while (type.find()) {
      used.add(type.group(1));
    }
    for (String f : List.of("../deploy/grafana/vane-dashboard.json", "../deploy/prometheus/vane-alerts.yml")) {
      Matcher m = Pattern.compile("vane_[a-z_]+").matcher(java.nio.file.Files.readString(java.nio.file.Path.of(f)));
      while (m.find()) {
        used.add(m.group().replaceAll("_(bucket|count|sum)$", ""));
      }
    }
    for (String name : used) {
      assertTrue(documented.contains(name), name + " is exposed or used but not in README's metric table");
    }
  }

  /** Waits (at most 15 s) until the sample named {@code series} has {@code expected}; returns the last exposition. */
  String awaitSample(Gateway gw, String series, double expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (true) {
      String text = scrape(gw, VIEWER, null).body().toString();
      Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
      if (m.find() && Double.parseDouble(m.group(1)) == expected) {
        return text;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not " + series + " " + expected + " within 15 s:\n" + text);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void shadowFeedbackAndRolloutFamiliesFollowTheGateway() throws Exception {
    Gateway gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        admin:
          auth:
            tokens:
              - { name: vera, token: %s, roles: [viewer] }
              - { name: fred, token: %s, roles: [feedback] }
        endpoints: [ { id: a, url: "%s" }, { id: b, url: "%s" } ]
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments:
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 0 }
            shadows: [ { id: s1, endpoint: a, percent: 100 } ]
            metrics: [ { name: click, kind: binary, primary: true } ]
            rollout:
              steps: [ { percent: 20, minExposures: 100000 }, { percent: 100 } ]
              analysisInterval: 200ms
        """.formatted(VIEWER, FEEDER, a.url(), b.url()));
    String rid = null;
    for (int i = 0; i < 10; i++) {
      Harness.Reply r = h.get(gw.port(), "/e/x");
      assertEquals(200, r.status());
      rid = r.headers().get("X-Request-Id");
    }
    awaitSample(gw, "vane_shadow_compared_total{check=\"status\",experiment=\"e\",shadow=\"s1\"}", 10);
    String shadow = awaitSample(gw, "vane_shadow_mirrored_total{experiment=\"e\",shadow=\"s1\"}", 10);
    assertEquals(10, value(shadow, "vane_shadow_agreements_total{check=\"status\",experiment=\"e\",shadow=\"s1\"}"));
    assertEquals(0, value(shadow, "vane_shadow_dropped_total{experiment=\"e\",shadow=\"s1\"}"));

    Map<String, String> json = Map.of("Authorization", "Bearer " + FEEDER, "Content-Type", "application/json");
    String event = "{\"requestId\": \"" + rid + "\", \"eventId\": \"ev1\", \"metric\": \"click\", \"value\": 1}";
    for (String body : List.of(event, event, "{\"eventId\": \"ev2\", \"metric\": \"click\", \"value\": 1}")) {
      h.send(gw.adminPort(), HttpMethod.POST, "/v1/feedback", json, io.vertx.core.buffer.Buffer.buffer(body));
    }
    String fb = scrape(gw, VIEWER, null).body().toString();
    assertEquals(1, value(fb, "vane_feedback_events_total{status=\"accepted\"}"));
    assertEquals(1, value(fb, "vane_feedback_events_total{status=\"duplicate\"}"));
    assertEquals(1, value(fb, "vane_feedback_events_total{status=\"rejected\"}"));

    // the rollout starts at its first look (this instance leads it) and ramps the canary to step 1's 20%
    String rollout = awaitSample(gw, "vane_rollout_phase{experiment=\"e\",phase=\"stepping\"}", 1);
    assertEquals(0, value(rollout, "vane_rollout_phase{experiment=\"e\",phase=\"rolled_back\"}"));
    assertEquals(0, value(rollout, "vane_rollout_step{experiment=\"e\"}"));
    awaitSample(gw, "vane_canary_weight{experiment=\"e\"}", 20);
  }

  @Test
  void aConfigThatCannotBeAppliedIsCountedAndTheServingVersionStays(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("vane.yaml");
    String good = yaml(20, "{ authenticate: false }").replace("eventLoops: 1", "eventLoops: 1, reloadInterval: 10ms");
    java.nio.file.Files.writeString(file, good);
    dev.vane.config.ConfigLoader loader = new dev.vane.config.ConfigLoader();
    Gateway gw = fx.own(Gateway.start(loader.load(file)).await());
    gw.watch(file, loader);
    String version = gw.config().version();
    java.nio.file.Files.writeString(file, good.replace("percent: 20", "percent: 200"));
    String text = awaitSample(gw, "vane_config_reload_failures_total", 1);
    assertEquals(1, value(text, "vane_config_info{version=\"" + version + "\"}"), "the old version serves");
  }

  @Test
  void stickyStoreUpFollowsRedis() throws Exception {
    dev.vane.gateway.state.RedisServerProcess redis = fx.redis();
    Gateway gw = fx.gateway(yaml(20, "{}") + """
        state:
          redis: { uri: "%s", commandTimeout: 50ms, flushInterval: 100ms }
        """.formatted(redis.uri()), dev.vane.gateway.runtime.Stores::forConfig);
    for (int i = 0; i < 5; i++) {
      assertEquals(200, h.send(gw.port(), HttpMethod.GET, "/e/x", Map.of("X-User-Id", "u" + (i % 2)), null).status());
    }
    String up = awaitSample(gw, "vane_sticky_store_up{store=\"redis\"}", 1);
    // claims made before the link was up are answered locally and sent once it is: wait for them
    long deadline = System.currentTimeMillis() + 15_000;
    while (value(up, "vane_sticky_redis_claims_total") < 1 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      up = scrape(gw, VIEWER, null).body().toString();
    }
    assertTrue(value(up, "vane_sticky_redis_claims_total") >= 1, "claims sent to Redis");
    assertEquals(5, value(up, "vane_sticky_lookups_total{result=\"hit\"}")
        + value(up, "vane_sticky_lookups_total{result=\"miss\"}"), "one local lookup per request");
    redis.stop();
    awaitSample(gw, "vane_sticky_store_up{store=\"redis\"}", 0);
  }

  @Test
  void theExpositionPassesPromtoolCheckMetrics(@org.junit.jupiter.api.io.TempDir java.nio.file.Path events)
      throws Exception {
    Assumptions.assumeTrue(PrometheusServer.installed(),
        "promtool missing: install the Debian package prometheus (.ci/run does)");
    // with an event sink, so that the events families are checked too
    Gateway gw = fx.gateway(yaml(20, "{ authenticate: false }") + "\nevents: { sinks: [ { type: jsonl, dir: \""
        + events + "\" } ] }\n");
    for (int i = 0; i < 20; i++) {
      h.get(gw.port(), "/e/x");
    }
    String text = scrape(gw, null, null).body().toString();
    java.nio.file.Files.writeString(java.nio.file.Path.of("target", "metrics-exposition.txt"), text);
    assertTrue(text.contains("vane_events_written_total{kind=\"exposure\",sink=\"jsonl\"}"), "events families");
    promtoolAccepts(text);
  }

  /** {@code promtool check metrics} accepts the exposition (when promtool is installed). */
  static void promtoolAccepts(String text) throws Exception {
    if (PrometheusServer.installed()) {
      PrometheusServer.Result r = PrometheusServer.promtool(List.of("check", "metrics"), text);
      assertEquals(0, r.exit(), "promtool check metrics:\n" + r.output());
    }
  }
}
