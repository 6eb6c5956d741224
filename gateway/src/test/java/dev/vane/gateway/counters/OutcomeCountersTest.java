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
  /** The counters of experiment {@code e} with two variants a and b and {@code analysis} (YAML lines). */
  private static OutcomeCounters counters(String analysis) {
    try {
      VaneConfig cfg = new ConfigLoader(Map.<String, String>of()::get).parse("""
          endpoints:
            - { id: a, url: "http://127.0.0.1:1" }
            - { id: b, url: "http://127.0.0.1:2" }
          experiments:
            - id: e
              variants:
                - { id: a, endpoint: a, weight: 5000 }
                - { id: b, endpoint: b, weight: 5000 }
          """ + analysis.indent(4), "test");
      return new OutcomeCounters(cfg.routing().experiment("e"), cfg.analysis("e"));
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OutcomeCounters stats() {
    return counters("""
        metrics:
          - { name: revenue, kind: continuous }
        slices:
          - { name: region, header: X-Region, maxValues: 4 }
        """);
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

  private static OutcomeCounters crossed() {
    return counters("""
        metrics:
          - { name: converted, kind: binary }
        slices:
          - { name: country, header: X-Country, maxValues: 2 }
          - { name: device, header: X-Device, maxValues: 2 }
        sliceCrosses: [ [country, device] ]
        """);
  }

  @Test
  void aCrossCountsPairsOfTheTwoBoundedValuesUpToTheProductOfTheBoundsThenOther() {
    OutcomeCounters s = crossed();
    assertEquals(java.util.List.of("country", "device", "country+device", NoveltyDays.DIMENSION), s.dimensions());
    String[][] requests = {{"us", "mobile"}, {"us", "desktop"}, {"de", "mobile"}, {"de", "desktop"},
        {"us", "mobile"}};
    for (String[] r : requests) {
      String[] values = {s.sliceValue(0, r[0]), s.sliceValue(1, r[1])};
      s.exposure("a", values);
      s.outcome("a", values, "converted", 1);
    }
    // country and device hold 2 values each; the cross's four pairs are its bound
    String[] fr = {s.sliceValue(0, "fr"), s.sliceValue(1, "tablet")};
    assertEquals(java.util.List.of("other", "other"), java.util.List.of(fr));
    s.exposure("b", fr);
    var cross = s.snapshot().slices().get("country+device");
    assertEquals(java.util.Set.of("us\u001emobile", "us\u001edesktop", "de\u001emobile", "de\u001edesktop",
        "other"), cross.keySet(), "a fifth pair, (other, other), is beyond the product of the bounds: other");
    assertEquals(1, cross.get("other").get("b").exposures());
    assertEquals(2, cross.get("us\u001emobile").get("a").exposures());
    assertEquals(2, cross.get("us\u001emobile").get("a").metrics().get("converted").n());
    assertEquals(java.util.List.of("us", "mobile"), SliceCrosses.values("us\u001emobile"));
    assertEquals("us+mobile", SliceCrosses.display("us\u001emobile"));
    assertEquals("a b", crossed().sliceValue(0, "a\u001eb"), "a slice value cannot hold the cross's joiner");
  }

  @Test
  void exposuresAndOutcomesAreCountedByDaysSinceFirstExposureWhenKnown() {
    OutcomeCounters s = crossed();
    s.exposureOnDay("a", 0);
    s.exposureOnDay("a", 0);
    s.exposureOnDay("b", 3);
    s.exposureOnDay("b", 40);
    s.exposureOnDay("b", -1);
    s.outcome("a", null, 0, "converted", 1);
    s.outcome("b", null, 40, "converted", 1);
    s.outcome("b", null, -1, "converted", 1);
    var days = s.snapshot().slices().get(NoveltyDays.DIMENSION);
    assertEquals(java.util.Set.of("0", "3", "14+"), days.keySet());
    assertEquals(2, days.get("0").get("a").exposures());
    assertEquals(1, days.get("0").get("a").metrics().get("converted").n());
    assertEquals(1, days.get("14+").get("b").exposures());
    assertEquals(1, days.get("14+").get("b").metrics().get("converted").n());
    assertEquals(2, s.snapshot().pooled().get("b").get("converted").n(), "pooled counts every outcome");
    assertEquals(14, NoveltyDays.day("14+"));
    assertEquals(-1, NoveltyDays.day("x"));
  }

  @Test
  void unknownArmsAndMetricsAreNotCounted() {
    OutcomeCounters s = stats();
    assertEquals(false, s.outcome("zz", null, "revenue", 1));
    assertEquals(false, s.outcome("a", null, "nope", 1));
    assertEquals(OutcomeCounters.Sums.ZERO, s.snapshot().pooled().get("a").get("revenue"));
  }
}
