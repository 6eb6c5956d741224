package dev.vane.gateway.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.Analysis;
import dev.vane.config.ConfigException;
import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Outcome sums: pooled and per slice, compensated, and finite at the largest values a metric accepts. */
class OutcomeCountersTest {
  private static OutcomeCounters stats() {
    try {
      VaneConfig cfg = new ConfigLoader(Map.<String, String>of()::get).parse("""
          endpoints:
            - { id: a, url: "http://127.0.0.1:1" }
            - { id: b, url: "http://127.0.0.1:2" }
          routes:
            - { pathPrefix: /v2/, experiment: e }
          experiments:
            - id: e
              variants:
                - { id: a, endpoint: a, weight: 5000 }
                - { id: b, endpoint: b, weight: 5000 }
              metrics:
                - { name: revenue, kind: continuous }
              slices:
                - { name: region, header: X-Region, maxValues: 4 }
          """, "test");
      return new OutcomeCounters(cfg.routing().experiment("e"), cfg.analysis("e"));
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void sumsOfExtremeAcceptedValuesStayFiniteAndExact() {
    OutcomeCounters s = stats();
    String[] eu = {"eu"};
    for (int i = 0; i < 10_000; i++) {
      s.outcome("a", eu, "revenue", Analysis.Metric.DEFAULT_BOUND);
      s.outcome("a", eu, "revenue", 0.25);
      s.outcome("a", eu, "revenue", -Analysis.Metric.DEFAULT_BOUND);
    }
    OutcomeCounters.Sums pooled = s.snapshot().pooled().get("a").get("revenue");
    assertEquals(30_000, pooled.n());
    assertEquals(2500.0, pooled.sum(), 0.0, "compensated: the quarters survive next to +-1e12");
    assertEquals(2e28 + 625, pooled.sumSq(), Math.ulp(2e28));
    assertTrue(Double.isFinite(pooled.sumSq()));
    OutcomeCounters.Sums slice = s.snapshot().slices().get("region").get("eu").get("a").metrics().get("revenue");
    assertEquals(pooled, slice);
  }

  @Test
  void unknownArmsAndMetricsAreNotCounted() {
    OutcomeCounters s = stats();
    assertEquals(false, s.outcome("zz", null, "revenue", 1));
    assertEquals(false, s.outcome("a", null, "nope", 1));
    assertEquals(OutcomeCounters.Sums.ZERO, s.snapshot().pooled().get("a").get("revenue"));
  }
}
