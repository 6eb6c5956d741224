package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three model endpoints with different true conversion rates behind a Thompson-sampling experiment, a driver that
 * sends requests and feedback. One event loop, sequential requests, seeded decisions and outcomes, and posterior
 * refreshes at fixed points make the run deterministic.
 */
class BanditSimulationTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final Map<String, Double> TRUE_RATE = Map.of("low", 0.02, "mid", 0.05, "high", 0.12);
  static final Map<String, TestBackend> BACKENDS = new HashMap<>();

  static {
    for (String arm : TRUE_RATE.keySet()) {
      BACKENDS.put(arm, fx.backend(arm));
    }
  }

  record Run(Map<String, Integer> lateShare, double regret, JsonObject bandit) {}

  Run simulate(long seed, int requests) throws Exception {
    String yaml = """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: low, url: "%s" }
          - { id: mid, url: "%s" }
          - { id: high, url: "%s" }
        routes:
          - { pathPrefix: /v2/, experiment: bandit }
        experiments:
          - id: bandit
            policy: thompson
            sticky: false
            variants:
              - { id: low, endpoint: low, weight: 3334 }
              - { id: mid, endpoint: mid, weight: 3333 }
              - { id: high, endpoint: high, weight: 3333 }
            metrics:
              - { name: convert, kind: binary, primary: true }
            bandit: { minExplorationPercent: 2, warmup: 150, refreshInterval: 1h }
        """.formatted(BACKENDS.get("low").url(), BACKENDS.get("mid").url(), BACKENDS.get("high").url());
    SplittableRandom decisions = new SplittableRandom(seed);
    Gateway gw = fx.own(Gateway.start(Harness.parse(yaml), Gateway::memoryStore, () -> decisions).await());
    SplittableRandom outcomes = new SplittableRandom(seed * 31 + 7);
    Map<String, Integer> late = new HashMap<>();
    double regret = 0;
    double best = TRUE_RATE.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    for (int i = 0; i < requests; i++) {
      if (i % 50 == 0) {
        gw.refreshBandits();
      }
      Harness.Reply r = h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer", Map.of(), Buffer.buffer("{}"));
      assertEquals(200, r.status());
      String arm = r.header("X-Vane-Variant");
      regret += best - TRUE_RATE.get(arm);
      if (i >= requests - 1000) {
        late.merge(arm, 1, Integer::sum);
      }
      boolean converted = outcomes.nextDouble() < TRUE_RATE.get(arm);
      if (converted) {
        JsonObject ev = new JsonObject().put("requestId", r.header("X-Request-Id")).put("eventId", "ev-" + i)
            .put("metric", "convert").put("value", 1);
        assertEquals(200, h.send(gw.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
            Buffer.buffer(ev.encode())).status());
      }
    }
    gw.refreshBandits();
    JsonObject results = h.get(gw.adminPort(), "/v1/experiments/bandit/results").json();
    return new Run(late, regret, results.getJsonObject("bandit"));
  }

  @Test
  void theBestArmWinsMostTrafficAndTheRunIsDeterministic() throws Exception {
    Run run = simulate(42, 3000);
    int high = run.lateShare().getOrDefault("high", 0);
    // uniform allocation would give the best arm 1/3 and regret (0.12-0.02 + 0.12-0.05 + 0)/3 * 3000 = 170
    assertTrue(high > 700, "best arm's share of the last 1,000 requests: " + run.lateShare());
    assertTrue(run.regret() < 120, "cumulative regret " + run.regret());
    for (String arm : TRUE_RATE.keySet()) {
      assertTrue(run.lateShare().getOrDefault(arm, 0) >= 5, "exploration floor keeps " + arm + " alive: "
          + run.lateShare());
    }
    JsonObject alloc = run.bandit().getJsonObject("allocation") != null ? run.bandit().getJsonObject("allocation")
        : null;
    assertTrue(run.bandit().encode().contains("high"), run.bandit().encode());
    System.out.printf("bandit simulation: late shares %s, cumulative regret %.1f over 3000 requests, bandit %s%n",
        run.lateShare(), run.regret(), alloc == null ? run.bandit().encode() : alloc.encode());
    Run again = simulate(42, 3000);
    assertEquals(run.lateShare(), again.lateShare(), "same seeds, same run");
    assertEquals(run.regret(), again.regret(), 1e-9);
  }

  @Test
  void thePeriodicRefreshPublishesThePosteriorWithoutBeingAsked() throws Exception {
    periodicRefresh("100ms", null);
  }

  @Test
  void aReloadThatShortensTheRefreshIntervalShortensThePeriod() throws Exception {
    periodicRefresh("1h", "100ms");
  }

  /** Starts with {@code interval}, reloads with {@code reloaded} when given, then waits for the timer's posterior. */
  private void periodicRefresh(String interval, String reloaded) throws Exception {
    String yaml = """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: low, url: "%s" }
          - { id: high, url: "%s" }
        routes:
          - { pathPrefix: /v2/, experiment: bandit }
        experiments:
          - id: bandit
            policy: thompson
            sticky: false
            variants:
              - { id: low, endpoint: low, weight: 5000 }
              - { id: high, endpoint: high, weight: 5000 }
            metrics:
              - { name: convert, kind: binary, primary: true }
            bandit: { warmup: 20, refreshInterval: INTERVAL }
        """.formatted(BACKENDS.get("low").url(), BACKENDS.get("high").url());
    Gateway gw = fx.own(Gateway.start(Harness.parse(yaml.replace("INTERVAL", interval)), Gateway::memoryStore,
        () -> new SplittableRandom(7)).await());
    if (reloaded != null) {
      assertEquals(3_600_000, gw.banditPeriodMillis());
      gw.apply(Harness.parse(yaml.replace("INTERVAL", reloaded)));
      assertEquals(100, gw.banditPeriodMillis());
    }
    for (int i = 0; i < 30; i++) {
      assertEquals(200, h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer", Map.of(), Buffer.buffer("{}"))
          .status());
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    JsonObject bandit = null;
    while (System.nanoTime() < deadline) {
      bandit = h.get(gw.adminPort(), "/v1/experiments/bandit/results").json().getJsonObject("bandit");
      if (bandit != null && !bandit.getBoolean("warmingUp")) {
        break;
      }
      Thread.sleep(20);
    }
    assertTrue(bandit != null && !bandit.getBoolean("warmingUp"),
        "the timer rebuilt the posterior past its warm-up: " + bandit);
  }
}
