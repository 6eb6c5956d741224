package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian package {@code prometheus}; {@code .ci/run} installs it) scrapes the gateway's
 * admin {@code /metrics} every second with a viewer token while traffic goes through an 80/20 canary split; PromQL
 * through Prometheus's HTTP API must then agree with the split and with Vane's own figures. Also: the shipped
 * alerting rules pass {@code promtool check rules} and load, and every dashboard query parses.
 */
class PrometheusScrapeTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b", x -> x.sleep(3));
  static final String VIEWER = "viewer-token-for-prometheus";
  static final Path ALERTS = Path.of("..", "deploy", "prometheus", "vane-alerts.yml").toAbsolutePath().normalize();
  static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "vane-dashboard.json");
  @TempDir Path dir;

  @BeforeAll
  static void prometheusInstalled() {
    Assumptions.assumeTrue(PrometheusServer.installed(), "skipped: /usr/bin/prometheus or /usr/bin/promtool "
        + "missing and could not be installed (apt-get install -y prometheus; .ci/run does it when missing)");
  }

  static String yaml() {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        admin:
          auth:
            tokens:
              - { name: prometheus, token: %s, roles: [viewer] }
        endpoints: [ { id: a, url: "%s" }, { id: b, url: "%s" } ]
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments:
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 20 }
        """.formatted(VIEWER, a.url(), b.url());
  }

  static String prometheusConfig(int adminPort) {
    return """
        global: { scrape_interval: 1s, evaluation_interval: 1s }
        rule_files: [ "%s" ]
        scrape_configs:
          - job_name: vane
            scrape_interval: 1s
            scrape_timeout: 900ms
            metrics_path: /metrics
            authorization: { credentials: "%s" }
            static_configs: [ { targets: [ "127.0.0.1:%d" ] } ]
        """.formatted(ALERTS, VIEWER, adminPort);
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void await(Check c, long millis, String what) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (!c.ok()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within " + millis + " ms: " + what);
      }
      Thread.sleep(200);
    }
  }

  @Test
  void prometheusSeesTheSplitAndVanesOwnP99() throws Exception {
    Gateway gw = fx.gateway(yaml());
    try (PrometheusServer prom = PrometheusServer.start(dir, prometheusConfig(gw.adminPort()))) {
      await(() -> prom.scalar("up{job=\"vane\"}") == 1, 20_000, "up{job=\"vane\"} == 1");

      // 4 clients for 8 s, no unit id: each request is assigned at random, 20% to the canary
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger sent = new AtomicInteger();
      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread th = new Thread(() -> {
          while (running.get()) {
            assertEquals(200, h.get(gw.port(), "/e/predict").status());
            sent.incrementAndGet();
          }
        });
        th.start();
        clients.add(th);
      }
      Thread.sleep(8_000);
      running.set(false);
      for (Thread th : clients) {
        th.join();
      }

      JsonObject own = h.send(gw.adminPort(), io.vertx.core.http.HttpMethod.GET, "/v1/experiments/e",
          Map.of("Authorization", "Bearer " + VIEWER), null).json();
      Map<String, JsonObject> arms = new HashMap<>();
      own.getJsonArray("arms").forEach(x -> arms.put(((JsonObject) x).getString("id"), (JsonObject) x));
      long total = arms.values().stream().mapToLong(x -> x.getLong("requests")).sum();
      assertEquals(sent.get(), total, "Vane counted every request");
      await(() -> prom.scalar("sum(vane_requests_total{experiment=\"e\"})") == total, 10_000,
          "Prometheus scraped the final count " + total);

      // shares of the split: both arms' series come from the same scrapes, so rate's extrapolation cancels out
      JsonArray byArm = prom.query("sum by (arm) (rate(vane_requests_total{experiment=\"e\"}[30s]))");
      Map<String, Double> rate = new HashMap<>();
      byArm.forEach(x -> rate.put(((JsonObject) x).getJsonObject("metric").getString("arm"),
          Double.parseDouble(((JsonObject) x).getJsonArray("value").getString(1))));
      double canaryShare = rate.get("canary") / (rate.get("canary") + rate.get("champion"));
      double ownShare = (double) arms.get("canary").getLong("requests") / total;
      // binomial: sd of the share = sqrt(0.2 * 0.8 / n), under 0.008 for n >= 2,500; 4 sd is 0.032
      assertTrue(total >= 2_500, "enough traffic for the share check: " + total);
      assertEquals(0.20, canaryShare, 0.032, "canary share through PromQL (n = " + total + ")");
      assertEquals(ownShare, canaryShare, 0.002, "PromQL share equals Vane's own counts");

      // p99 from the exported buckets against Vane's own p99 (HdrHistogram, exact to 0.1%): histogram_quantile
      // interpolates linearly within a bucket, so it may differ by up to the width of the bucket that holds it
      double vaneP99 = arms.get("canary").getJsonObject("latencyMs").getDouble("p99") / 1000.0;
      double promP99 = prom.scalar("histogram_quantile(0.99, sum by (le) (rate("
          + "vane_request_duration_seconds_bucket{experiment=\"e\",arm=\"canary\"}[30s])))");
      double lower = 0;
      double upper = Double.POSITIVE_INFINITY;
      for (double bound : new double[] {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
          10, 30, 60}) {
        if (vaneP99 <= bound) {
          upper = bound;
          break;
        }
        lower = bound;
      }
      assertTrue(vaneP99 >= 0.003, "the canary's backend sleeps 3 ms: Vane's p99 " + vaneP99);
      assertEquals(vaneP99, promP99, (upper - lower) * 1.01,
          "histogram_quantile(0.99) " + promP99 + " s vs Vane's p99 " + vaneP99 + " s (bucket " + lower + ".."
              + upper + ")");
      org.slf4j.LoggerFactory.getLogger(PrometheusScrapeTest.class).info(
          "n={} canary share: PromQL {} Vane {}; canary p99: PromQL {} s Vane {} s (bucket {}..{})", total,
          canaryShare, ownShare, promP99, vaneP99, lower, upper);
      assertEquals(0.20, prom.scalar("max(vane_canary_weight{experiment=\"e\"}) / 100"), 1e-9);
      assertEquals(1, prom.scalar("vane_config_info"), "config info");
      assertEquals(1, prom.scalar("count(up{job=\"vane\"} == 1)"), "up == 1");
      assertEquals("up", prom.targets().getJsonObject(0).getString("health"));
      assertTrue(Double.isNaN(prom.scalar("ALERTS{alertname=\"VaneDown\"}")), "no VaneDown alert");
    }
  }

  @Test
  void alertingRulesPassPromtoolAndDashboardQueriesParse() throws Exception {
    PrometheusServer.Result rules = PrometheusServer.promtool(List.of("check", "rules", ALERTS.toString()), null);
    assertEquals(0, rules.exit(), "promtool check rules:\n" + rules.output());
    assertTrue(rules.output().contains("SUCCESS"), rules.output());

    Gateway gw = fx.gateway(yaml());
    try (PrometheusServer prom = PrometheusServer.start(dir, prometheusConfig(gw.adminPort()))) {
      JsonObject dash = new JsonObject(Files.readString(DASHBOARD));
      int queries = 0;
      for (Object p : dash.getJsonArray("panels")) {
        for (Object t : ((JsonObject) p).getJsonArray("targets")) {
          String expr = ((JsonObject) t).getString("expr").replace("$__rate_interval", "1m")
              .replace("$experiment", ".*");
          prom.query(expr); // fails on a parse error
          queries++;
        }
      }
      assertTrue(queries >= 14, "dashboard queries: " + queries);
    }
  }
}
