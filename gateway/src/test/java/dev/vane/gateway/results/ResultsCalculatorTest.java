package dev.vane.gateway.results;

import static dev.vane.gateway.results.Data.BOUNCE;
import static dev.vane.gateway.results.Data.CONVERSION;
import static dev.vane.gateway.results.Data.REVENUE;
import static dev.vane.gateway.results.Data.arm;
import static dev.vane.gateway.results.Data.comparison;
import static dev.vane.gateway.results.Data.conversion;
import static dev.vane.gateway.results.Data.metric;
import static dev.vane.gateway.results.Data.sliceValue;
import static dev.vane.gateway.results.Data.twoArms;
import static dev.vane.gateway.results.Data.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.results.ResultsInput.ArmData;
import dev.vane.gateway.results.ResultsInput.BanditView;
import dev.vane.gateway.results.ResultsInput.MetricDef;
import dev.vane.stats.Alternative;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.Comparison;
import dev.vane.stats.ComparisonResult;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.Interval;
import dev.vane.stats.LatencyStats;
import dev.vane.stats.MultipleTesting;
import dev.vane.stats.Options;
import dev.vane.stats.RankTestResult;
import dev.vane.stats.SampleRatio;
import dev.vane.stats.SequentialState;
import dev.vane.stats.SrmResult;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Results figures against the stats module called directly on the same counts. Tolerance: exact equality (the
 * calculator must pass the counts through unchanged), except where stated.
 */
class ResultsCalculatorTest {
  private static final Options OPTIONS = Options.defaults();

  /** Control a, treatments b and c; conversion (primary), revenue (continuous), bounce (lower is better). */
  private static ResultsInput fixed() {
    Histogram la = Data.latency(1, 4000, 20_000);
    Histogram lb = Data.latency(2, 4100, 21_500);
    Histogram lc = Data.latency(3, 3900, 19_000);
    List<ArmData> pooled = List.of(
        new ArmData("a", 4000, 3800, 4200, 21, la,
            Map.of("conversion", BinaryStats.of(4000, 412), "bounce", BinaryStats.of(4000, 1630)),
            Map.of("revenue", Data.normal(11, 412, 31.5, 9.0))),
        new ArmData("b", 4100, 3890, 4310, 12, lb,
            Map.of("conversion", BinaryStats.of(4100, 497), "bounce", BinaryStats.of(4100, 1588)),
            Map.of("revenue", Data.normal(12, 497, 32.4, 9.5))),
        new ArmData("c", 3900, 3700, 4090, 40, lc,
            Map.of("conversion", BinaryStats.of(3900, 401), "bounce", BinaryStats.of(3900, 1702)),
            Map.of("revenue", Data.normal(13, 401, 30.1, 8.7))));
    return new ResultsInput("ranker", "v7", "a", List.of("a", "b", "c"),
        weights("a", 3400, "b", 3300, "c", 3300), List.of(CONVERSION, REVENUE, BOUNCE), pooled, Map.of(), null);
  }

  @Test
  void figuresForAFixedDataSetEqualTheStatsModulesNumbersFromTheSameCounts() {
    ResultsInput in = fixed();
    JsonObject json = new ResultsCalculator().toJson(in);
    Map<String, ArmData> arms = new LinkedHashMap<>();
    in.pooled().forEach(d -> arms.put(d.arm(), d));
    ArmData control = arms.get("a");

    for (ArmData d : in.pooled()) {
      JsonObject a = arm(json.getJsonArray("arms"), d.arm());
      assertEquals(d.exposures(), a.getLong("exposures"));
      assertEquals(d.units(), a.getLong("units"));
      assertEquals(d.requests(), a.getLong("requests"));
      assertEquals(d.errors(), a.getLong("errors"));
      assertEquals(d.arm().equals("a") ? "control" : "treatment", a.getString("role"));

      BinaryStats conv = d.binary().get("conversion");
      JsonObject c = metric(a, "conversion");
      assertEquals(conv.successes(), c.getLong("successes"));
      assertEquals(conv.exposures(), c.getLong("trials"));
      assertEquals(conv.rate(), c.getDouble("rate"));
      assertInterval(Comparison.compare(conv, conv, OPTIONS).controlCredibleInterval(), c.getJsonObject("interval"));

      ContinuousStats rev = d.continuous().get("revenue");
      JsonObject r = metric(a, "revenue");
      assertEquals(rev.count(), r.getLong("count"));
      assertEquals(rev.mean(), r.getDouble("mean"));
      assertEquals(rev.standardDeviation(), r.getDouble("sd"));
      assertInterval(Comparison.compare(rev, rev, OPTIONS).controlCredibleInterval(), r.getJsonObject("interval"));

      BinaryStats err = BinaryStats.of(d.requests(), d.errors());
      JsonObject e = a.getJsonObject("errorRate");
      assertEquals(err.rate(), e.getDouble("rate"));
      assertInterval(Comparison.compare(err, err, OPTIONS).controlCredibleInterval(), e.getJsonObject("interval"));

      LatencyStats lat = LatencyStats.of(d.latency());
      JsonObject l = a.getJsonObject("latencyMs");
      assertEquals(lat.count(), l.getLong("count"));
      assertEquals(lat.valueAtPercentile(50) / 1000.0, l.getDouble("p50"));
      assertEquals(lat.valueAtPercentile(90) / 1000.0, l.getDouble("p90"));
      assertEquals(lat.valueAtPercentile(99) / 1000.0, l.getDouble("p99"));
      assertEquals(lat.valueAtPercentile(99.9) / 1000.0, l.getDouble("p999"));
      assertEquals(lat.mean() / 1000.0, l.getDouble("mean"), 1e-12);
    }

    JsonArray comparisons = json.getJsonArray("comparisons");
    assertEquals(2 * 5, comparisons.size(), "2 treatments x (3 declared + latency + error_rate)");
    for (String t : List.of("b", "c")) {
      ArmData treatment = arms.get(t);
      assertComparison(Comparison.compare(control.binary().get("conversion"), treatment.binary().get("conversion"),
          OPTIONS), true, comparison(comparisons, t, "conversion"));
      assertComparison(Comparison.compare(control.continuous().get("revenue"),
          treatment.continuous().get("revenue"), OPTIONS), true, comparison(comparisons, t, "revenue"));
      assertComparison(Comparison.compare(control.binary().get("bounce"), treatment.binary().get("bounce"),
          OPTIONS), false, comparison(comparisons, t, "bounce"));
      assertComparison(Comparison.compare(BinaryStats.of(control.requests(), control.errors()),
          BinaryStats.of(treatment.requests(), treatment.errors()), OPTIONS), false,
          comparison(comparisons, t, "error_rate"));

      LatencyStats lc = LatencyStats.of(control.latency());
      LatencyStats lt = LatencyStats.of(treatment.latency());
      RankTestResult mw = Comparison.mannWhitney(lc, lt, true, Alternative.TWO_SIDED);
      JsonObject lat = comparison(comparisons, t, "latency");
      assertEquals("mann_whitney", lat.getString("test"));
      assertEquals("lower", lat.getString("direction"));
      assertEquals(mw.pValue(), lat.getDouble("pValue"));
      assertEquals(mw.z(), lat.getDouble("statistic"));
      assertEquals(mw.hodgesLehmannShift() / 1000.0, lat.getDouble("difference"));
      assertEquals(lc.valueAtPercentile(50) / 1000.0, lat.getDouble("controlValue"));
      assertEquals(lt.valueAtPercentile(50) / 1000.0, lat.getDouble("treatmentValue"));
      assertNull(lat.getValue("sequential"));
      assertNull(lat.getValue("standardError"));
      assertNull(lat.getValue("criticalValue"));
    }
    // b is built to convert better than a (12.1 % vs 10.3 %), c slower latency is lower: sanity on the data itself
    assertTrue(comparison(comparisons, "b", "conversion").getDouble("probabilityBetter") > 0.99);
    assertTrue(comparison(comparisons, "c", "latency").getDouble("difference") < 0);
    assertTrue(comparison(comparisons, "c", "latency").getDouble("statistic") < 0,
        "the Mann-Whitney z keeps its sign: negative when the treatment is faster");
  }

  private static void assertComparison(ComparisonResult expected, boolean higherIsBetter, JsonObject actual) {
    assertEquals(expected.kind().name().toLowerCase(), actual.getString("kind"));
    assertEquals(higherIsBetter ? "higher" : "lower", actual.getString("direction"));
    assertEquals(expected.controlMean(), actual.getDouble("controlValue"));
    assertEquals(expected.treatmentMean(), actual.getDouble("treatmentValue"));
    assertEquals(expected.difference(), actual.getDouble("difference"));
    assertInterval(expected.differenceInterval(), actual.getJsonObject("differenceInterval"));
    assertEquals(expected.standardError(), actual.getDouble("standardError"));
    assertEquals(expected.criticalValue(), actual.getDouble("criticalValue"));
    assertEquals(expected.relativeLift(), actual.getDouble("relativeDifference"));
    assertInterval(expected.relativeLiftInterval(), actual.getJsonObject("relativeDifferenceInterval"));
    assertEquals(expected.statistic(), actual.getDouble("statistic"));
    assertEquals(expected.pValue(), actual.getDouble("pValue"));
    JsonObject seq = actual.getJsonObject("sequential");
    assertEquals(1L, seq.getLong("looks"));
    assertEquals(expected.sequential().pValue(), seq.getDouble("pValue"));
    assertInterval(expected.sequential().interval(), seq.getJsonObject("interval"));
    if (higherIsBetter) {
      assertEquals(expected.probabilityTreatmentBetter(), actual.getDouble("probabilityBetter"));
      assertEquals(expected.expectedLossTreatment(), actual.getDouble("expectedLossTreatment"));
      assertEquals(expected.expectedLossControl(), actual.getDouble("expectedLossControl"));
    } else {
      assertEquals(1 - expected.probabilityTreatmentBetter(), actual.getDouble("probabilityBetter"));
      assertEquals(expected.expectedLossControl(), actual.getDouble("expectedLossTreatment"));
      assertEquals(expected.expectedLossTreatment(), actual.getDouble("expectedLossControl"));
    }
    assertEquals(expected.cupedTheta(), actual.getDouble("cupedTheta"));
  }

  private static void assertInterval(Interval expected, JsonObject actual) {
    assertEquals(expected.low(), actual.getDouble("low"));
    assertEquals(expected.high(), actual.getDouble("high"));
  }

  @Test
  void holmAdjustsAcrossAllTreatmentsAndMetricsLikeTheStatsModule() {
    JsonObject json = new ResultsCalculator().toJson(fixed());
    JsonArray comparisons = json.getJsonArray("comparisons");
    double[] raw = new double[comparisons.size()];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = comparisons.getJsonObject(i).getDouble("pValue");
    }
    double[] expected = MultipleTesting.holm(raw);
    for (int i = 0; i < raw.length; i++) {
      assertEquals(expected[i], comparisons.getJsonObject(i).getDouble("pValueHolm"), 1e-15);
    }
    assertEquals(10, json.getJsonObject("multipleTesting").getInteger("familySize"));
  }

  @Test
  void comparisonsWithoutAPValueAreLeftOutOfTheHolmFamily() {
    // no latency tracked: the two latency comparisons have no p-value, the other four form the family
    ResultsInput in = new ResultsInput("e", "v", "a", List.of("a", "b", "c"), weights("a", 1, "b", 1, "c", 1),
        List.of(CONVERSION), List.of(conversion("a", 1000, 100), conversion("b", 1000, 130),
            conversion("c", 1000, 90)), Map.of(), null);
    JsonObject json = new ResultsCalculator().toJson(in);
    JsonArray comparisons = json.getJsonArray("comparisons");
    List<Double> raw = new ArrayList<>();
    for (int i = 0; i < comparisons.size(); i++) {
      JsonObject c = comparisons.getJsonObject(i);
      if (c.getValue("pValue") == null) {
        assertEquals("latency", c.getString("metric"));
        assertNull(c.getValue("pValueHolm"));
        assertTrue(c.getJsonArray("reasons").contains("not_tracked"));
      } else {
        raw.add(c.getDouble("pValue"));
      }
    }
    double[] expected = MultipleTesting.holm(raw.stream().mapToDouble(Double::doubleValue).toArray());
    int k = 0;
    for (int i = 0; i < comparisons.size(); i++) {
      JsonObject c = comparisons.getJsonObject(i);
      if (c.getValue("pValue") != null) {
        assertEquals(expected[k++], c.getDouble("pValueHolm"), 1e-15);
      }
    }
    assertEquals(4, json.getJsonObject("multipleTesting").getInteger("familySize"));
  }

  @Test
  void sampleRatioMismatchIsRaisedOnASkewedSplitAndNotOnACorrectOne() {
    ResultsCalculator calc = new ResultsCalculator();
    JsonObject skewed = calc.toJson(twoArms("skewed", List.of(conversion("a", 5000, 500),
        conversion("b", 5600, 560)), null, Map.of()));
    JsonObject srm = skewed.getJsonObject("srm");
    SrmResult expected = SampleRatio.srm(new long[] {5000, 5600}, new double[] {5000, 5000});
    assertEquals("mismatch", srm.getString("verdict"));
    assertEquals(expected.pValue(), srm.getDouble("pValue"));
    assertEquals(expected.statistic(), srm.getDouble("statistic"));
    assertEquals(0.001, srm.getDouble("threshold"));
    assertEquals(5300.0, srm.getJsonArray("arms").getJsonObject(0).getDouble("expected"));
    assertEquals("sample_ratio_mismatch", skewed.getJsonArray("warnings").getJsonObject(0).getString("code"));

    JsonObject fine = calc.toJson(twoArms("fine", List.of(conversion("a", 5000, 500),
        conversion("b", 5060, 560)), null, Map.of()));
    assertEquals("ok", fine.getJsonObject("srm").getString("verdict"));
    assertEquals(SampleRatio.srm(new long[] {5000, 5060}, new double[] {5000, 5000}).pValue(),
        fine.getJsonObject("srm").getDouble("pValue"));
    assertTrue(fine.getJsonArray("warnings").isEmpty());
  }

  @Test
  void sampleRatioSkipsZeroWeightArmsAndSaysWhenDataIsThin() {
    ResultsInput in = new ResultsInput("e", "v", "a", List.of("a", "b", "off"),
        weights("a", 9000, "b", 1000, "off", 0), List.of(CONVERSION),
        List.of(conversion("a", 45, 4), conversion("b", 5, 1), conversion("off", 3, 0)), Map.of(), null);
    JsonObject srm = new ResultsCalculator().toJson(in).getJsonObject("srm");
    assertEquals(2, srm.getJsonArray("arms").size(), "the weight-0 arm is not part of the check");
    assertEquals(SampleRatio.srm(new long[] {45, 5}, new double[] {9000, 1000}).pValue(), srm.getDouble("pValue"));
    assertEquals("ok", srm.getString("verdict"));
    assertTrue(srm.getJsonArray("reasons").contains("too_few_exposures"));
  }

  @Test
  void theKidneyStoneDataIsFlaggedAsSimpsonsParadox() {
    // control a = treatment A, b = treatment B (Charig et al. 1986): B looks better pooled, A is better in each slice
    Map<String, List<ArmData>> size = new LinkedHashMap<>();
    size.put("small", List.of(conversion("a", 87, 81), conversion("b", 270, 234)));
    size.put("large", List.of(conversion("a", 263, 192), conversion("b", 80, 55)));
    ResultsInput in = twoArms("stones", List.of(conversion("a", 350, 273), conversion("b", 350, 289)),
        "stone_size", size);
    JsonObject json = new ResultsCalculator().toJson(in);

    JsonObject pooled = comparison(json.getJsonArray("comparisons"), "b", "conversion");
    assertTrue(pooled.getDouble("difference") > 0);
    assertTrue(comparison(sliceValue(json, "stone_size", "small").getJsonArray("comparisons"), "b", "conversion")
        .getDouble("difference") < 0);
    assertTrue(comparison(sliceValue(json, "stone_size", "large").getJsonArray("comparisons"), "b", "conversion")
        .getDouble("difference") < 0);

    JsonArray warnings = json.getJsonArray("warnings");
    assertEquals(1, warnings.size(), warnings.encode());
    JsonObject w = warnings.getJsonObject(0);
    assertEquals("simpsons_paradox", w.getString("code"));
    assertEquals("stone_size", w.getString("dimension"));
    assertEquals("conversion", w.getString("metric"));
    assertEquals("b", w.getString("treatment"));
    assertEquals("all_slices_reversed", w.getString("rule"));
    assertEquals(new JsonArray().add("small").add("large"), w.getJsonArray("values"));
    assertTrue(w.getString("detail").contains("small"), w.getString("detail"));
    assertTrue(json.getJsonObject("methods").getString("simpsonsParadox").contains("all_slices_reversed"));
  }

  @Test
  void aCrossOfTwoDimensionsIsASliceWithItsPairsAndSimpsonsCheckWarnsOnIt() {
    // kidney stones again, now as a cross of size and site whose pairs each reverse the pooled effect
    Map<String, List<ArmData>> cross = new LinkedHashMap<>();
    cross.put("small\u001eleft", List.of(conversion("a", 40, 37), conversion("b", 140, 121)));
    cross.put("small\u001eright", List.of(conversion("a", 47, 44), conversion("b", 130, 113)));
    cross.put("large\u001eleft", List.of(conversion("a", 130, 95), conversion("b", 40, 27)));
    cross.put("large\u001eright", List.of(conversion("a", 133, 97), conversion("b", 40, 28)));
    ResultsInput in = twoArms("stones", List.of(conversion("a", 350, 273), conversion("b", 350, 289)),
        "size+site", cross);
    JsonObject json = new ResultsCalculator().toJson(in);
    JsonObject dim = json.getJsonArray("slices").getJsonObject(0);
    assertEquals("size+site", dim.getString("dimension"));
    assertEquals(new JsonArray().add("size").add("site"), dim.getJsonArray("dimensions"));
    JsonObject first = dim.getJsonArray("values").getJsonObject(0);
    assertEquals("small+left", first.getString("value"));
    assertEquals(new JsonArray().add("small").add("left"), first.getJsonArray("values"));

    JsonArray warnings = json.getJsonArray("warnings");
    assertEquals(1, warnings.size(), warnings.encode());
    JsonObject w = warnings.getJsonObject(0);
    assertEquals("simpsons_paradox", w.getString("code"));
    assertEquals("size+site", w.getString("dimension"));
    assertEquals("all_slices_reversed", w.getString("rule"));
    assertEquals(new JsonArray().add("small+left").add("small+right").add("large+left").add("large+right"),
        w.getJsonArray("values"));

    String csv = new ResultsCalculator().toCsv(in);
    assertTrue(csv.contains("\r\nsize+site,small+left,a,control,conversion,"), csv);
  }

  @Test
  void slicesThatAgreeWithThePooledEffectAreNotFlagged() {
    Map<String, List<ArmData>> region = new LinkedHashMap<>();
    region.put("eu", List.of(conversion("a", 2000, 200), conversion("b", 2000, 260)));
    region.put("us", List.of(conversion("a", 3000, 330), conversion("b", 3000, 390)));
    region.put("other", List.of(conversion("a", 120, 12), conversion("b", 110, 10)));
    JsonObject json = new ResultsCalculator().toJson(twoArms("agree",
        List.of(conversion("a", 5120, 542), conversion("b", 5110, 660)), "region", region));
    assertTrue(comparison(json.getJsonArray("comparisons"), "b", "conversion").getDouble("pValue") < 0.05);
    assertTrue(json.getJsonArray("warnings").isEmpty(), json.getJsonArray("warnings").encode());
  }

  @Test
  void aSignificantReversalInALargeSliceIsFlaggedEvenWhenOtherSlicesAgree() {
    Map<String, List<ArmData>> client = new LinkedHashMap<>();
    client.put("web", List.of(conversion("a", 10_000, 1000), conversion("b", 10_000, 2000)));
    client.put("ios", List.of(conversion("a", 1000, 300), conversion("b", 1000, 200)));
    client.put("tv", List.of(conversion("a", 40, 4), conversion("b", 30, 2)));
    JsonObject json = new ResultsCalculator().toJson(twoArms("reversal",
        List.of(conversion("a", 11_040, 1304), conversion("b", 11_030, 2202)), "client", client));
    JsonArray warnings = json.getJsonArray("warnings");
    assertEquals(1, warnings.size(), warnings.encode());
    assertEquals("significant_reversal", warnings.getJsonObject(0).getString("rule"));
    assertEquals(new JsonArray().add("ios"), warnings.getJsonObject(0).getJsonArray("values"));
  }

  @Test
  void aReversalInASliceBelowTheDataThresholdIsNotFlagged() {
    // same as above but ios has 99 control exposures: too thin for rule 1, and web agrees, so rule 2 fails too
    Map<String, List<ArmData>> client = new LinkedHashMap<>();
    client.put("web", List.of(conversion("a", 10_000, 1000), conversion("b", 10_000, 2000)));
    client.put("ios", List.of(conversion("a", 99, 60), conversion("b", 1000, 200)));
    JsonObject json = new ResultsCalculator().toJson(twoArms("thin",
        List.of(conversion("a", 10_099, 1060), conversion("b", 11_000, 2200)), "client", client));
    assertTrue(comparison(sliceValue(json, "client", "ios").getJsonArray("comparisons"), "b", "conversion")
        .getDouble("pValue") < 0.05);
    assertTrue(json.getJsonArray("warnings").stream().map(o -> ((JsonObject) o).getString("code"))
        .noneMatch("simpsons_paradox"::equals));
  }

  @Test
  void theSequentialPValueNeverIncreasesAcrossLooksWithGrowingData() {
    ResultsCalculator calc = new ResultsCalculator();
    SequentialState expected = SequentialState.INITIAL;
    double last = 1.0;
    Interval lastInterval = Interval.ALL;
    boolean dropped = false;
    for (int look = 1; look <= 25; look++) {
      // true rates 10 % vs 12 %, with noise in the counts so single-look p-values go up and down
      long n = 400L * look;
      long sa = Math.round(n * 0.10) + (look % 3 == 0 ? 9 : -4);
      long sb = Math.round(n * 0.12) - (look % 4 == 0 ? 11 : -3);
      BinaryStats a = BinaryStats.of(n, sa);
      BinaryStats b = BinaryStats.of(n, sb);
      JsonObject c = comparison(calc.toJson(twoArms("seq", List.of(conversion("a", n, sa), conversion("b", n, sb)),
          null, Map.of())).getJsonArray("comparisons"), "b", "conversion");
      ComparisonResult direct = Comparison.compare(a, b, OPTIONS, expected);
      expected = direct.sequential();
      JsonObject seq = c.getJsonObject("sequential");
      assertEquals(look, seq.getLong("looks"));
      assertEquals(expected.pValue(), seq.getDouble("pValue"), "look " + look);
      double p = seq.getDouble("pValue");
      assertTrue(p <= last, "look " + look + ": " + p + " > " + last);
      dropped |= p < last;
      last = p;
      Double low = seq.getJsonObject("interval").getDouble("low");
      Double high = seq.getJsonObject("interval").getDouble("high");
      if (low != null) {
        assertTrue(low >= lastInterval.low() && high <= lastInterval.high(), "confidence sequence widened");
        lastInterval = new Interval(low, high);
      }
    }
    assertTrue(dropped, "the always-valid p-value moved at all");
    assertTrue(last < 0.05, "10 % vs 12 % at 10,000 per arm is detected: " + last);
  }

  @Test
  void concurrentLooksAreAllCountedAndTheStateIsBounded() throws Exception {
    ResultsCalculator calc = new ResultsCalculator(OPTIONS, 50);
    ResultsInput in = fixed();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<JsonObject>> looks = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        looks.add(pool.submit(() -> calc.toJson(in)));
      }
      for (Future<JsonObject> f : looks) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    JsonObject last = calc.toJson(in);
    assertEquals(41L, comparison(last.getJsonArray("comparisons"), "b", "conversion")
        .getJsonObject("sequential").getLong("looks"), "no look was lost to a race");

    for (int e = 0; e < 100; e++) {
      calc.toJson(twoArms("exp" + e, List.of(conversion("a", 100, 10), conversion("b", 100, 12)), null, Map.of()));
    }
    assertTrue(calc.sequentialStates() <= 50, "states: " + calc.sequentialStates());
  }

  @Test
  void degenerateDataGivesReasonCodesAndNullsNeverNaN() {
    ResultsCalculator calc = new ResultsCalculator();
    List<MetricDef> metrics = List.of(CONVERSION, REVENUE);

    // zero exposures everywhere
    ResultsInput empty = new ResultsInput("empty", "v", "a", List.of("a", "b"), weights("a", 5000, "b", 5000),
        metrics, List.of(), Map.of("region", Map.of("eu", List.of())), null);
    JsonObject e = roundTrip(calc.toJson(empty));
    assertTrue(e.getJsonArray("reasons").contains("no_exposures"));
    JsonObject conv = comparison(e.getJsonArray("comparisons"), "b", "conversion");
    assertNull(conv.getValue("pValue"));
    assertNull(conv.getValue("pValueHolm"));
    assertNull(conv.getJsonObject("differenceInterval").getValue("low"));
    assertTrue(conv.getJsonArray("reasons").contains("empty_arm"));
    for (String field : List.of("controlValue", "treatmentValue", "difference", "relativeDifference",
        "probabilityBetter", "expectedLossTreatment", "expectedLossControl")) {
      assertNull(conv.getValue(field), field + " of an empty arm");
    }
    JsonObject rev = comparison(e.getJsonArray("comparisons"), "b", "revenue");
    assertNull(rev.getValue("pValue"));
    assertNull(metric(arm(e.getJsonArray("arms"), "a"), "conversion").getValue("rate"));
    assertNull(metric(arm(e.getJsonArray("arms"), "a"), "revenue").getValue("mean"));
    assertNull(arm(e.getJsonArray("arms"), "a").getJsonObject("latencyMs").getValue("p50"));
    assertEquals("ok", e.getJsonObject("srm").getString("verdict"));
    assertTrue(e.getJsonObject("srm").getJsonArray("reasons").contains("too_few_exposures"));
    assertEquals(0, e.getJsonObject("multipleTesting").getInteger("familySize"));

    // one arm only
    ResultsInput single = new ResultsInput("single", "v", "a", List.of("a"), weights("a", 10000), metrics,
        List.of(conversion("a", 500, 50)), Map.of(), null);
    JsonObject s = roundTrip(calc.toJson(single));
    assertTrue(s.getJsonArray("reasons").contains("single_arm"));
    assertTrue(s.getJsonArray("comparisons").isEmpty());
    assertTrue(s.getJsonObject("srm").getJsonArray("reasons").contains("single_arm"));
    assertEquals(0.1, metric(arm(s.getJsonArray("arms"), "a"), "conversion").getDouble("rate"));

    // all successes in both arms, one continuous observation per arm
    ResultsInput full = new ResultsInput("full", "v", "a", List.of("a", "b"), weights("a", 5000, "b", 5000), metrics,
        List.of(new ArmData("a", 300, 300, 300, 0, new Histogram(3), Map.of("conversion", BinaryStats.of(300, 300)),
                Map.of("revenue", ContinuousStats.ofValues(5.0))),
            new ArmData("b", 310, 310, 310, 0, new Histogram(3), Map.of("conversion", BinaryStats.of(310, 310)),
                Map.of("revenue", ContinuousStats.ofValues(7.0)))), Map.of(), null);
    JsonObject f = roundTrip(calc.toJson(full));
    JsonObject c = comparison(f.getJsonArray("comparisons"), "b", "conversion");
    assertTrue(c.getJsonArray("reasons").contains("zero_variance"), c.encode());
    assertEquals(1.0, metric(arm(f.getJsonArray("arms"), "b"), "conversion").getDouble("rate"));
    JsonObject r = comparison(f.getJsonArray("comparisons"), "b", "revenue");
    assertTrue(r.getJsonArray("reasons").contains("too_few_observations"), r.encode());
    assertNull(r.getValue("pValue"));
    assertNull(metric(arm(f.getJsonArray("arms"), "b"), "revenue").getValue("sd"));
    assertTrue(metric(arm(f.getJsonArray("arms"), "b"), "revenue").getJsonArray("reasons")
        .contains("too_few_observations"));
    JsonObject lat = comparison(f.getJsonArray("comparisons"), "b", "latency");
    assertTrue(lat.getJsonArray("reasons").contains("empty_arm"), lat.encode());
    JsonObject err = comparison(f.getJsonArray("comparisons"), "b", "error_rate");
    assertTrue(err.getJsonArray("reasons").contains("zero_variance"), err.encode());
  }

  /** Encodes and decodes, failing on any NaN or Infinity in the text. */
  private static JsonObject roundTrip(JsonObject json) {
    String text = json.encode();
    assertFalse(text.contains("NaN"), text);
    assertFalse(text.contains("Infinity"), text);
    return (JsonObject) Json.decodeValue(text);
  }

  @Test
  void aBanditsPosteriorAndAllocationAreRenderedAndSampleRatioIsNotApplied() {
    Map<String, double[]> posterior = new LinkedHashMap<>();
    posterior.put("a", new double[] {101, 901});
    posterior.put("b", new double[] {151, 851});
    posterior.put("c", new double[] {81, 921});
    Map<String, Double> allocation = Map.of("a", 0.05, "b", 0.9, "c", 0.05);
    ResultsInput in = new ResultsInput("bandit", "v", "a", List.of("a", "b", "c"),
        weights("a", 3334, "b", 3333, "c", 3333), List.of(CONVERSION),
        List.of(conversion("a", 1000, 100), conversion("b", 1000, 150), conversion("c", 1000, 80)), Map.of(),
        new BanditView("bernoulli", "conversion", posterior, allocation, false));
    JsonObject json = roundTrip(new ResultsCalculator().toJson(in));
    JsonObject bandit = json.getJsonObject("bandit");
    assertEquals("bernoulli", bandit.getString("kind"));
    assertEquals("conversion", bandit.getString("metric"));
    assertFalse(bandit.getBoolean("warmingUp"));
    JsonObject b = bandit.getJsonArray("arms").getJsonObject(1);
    assertEquals("b", b.getString("arm"));
    assertEquals(151.0, b.getJsonObject("posterior").getDouble("alpha"));
    assertEquals(851.0, b.getJsonObject("posterior").getDouble("beta"));
    assertEquals(0.9, b.getDouble("allocation"));
    assertNull(json.getJsonObject("srm").getValue("verdict"));
    assertTrue(json.getJsonObject("srm").getJsonArray("reasons").contains("adaptive_allocation"));

    ResultsInput gaussian = new ResultsInput("g", "v", "a", List.of("a", "b"), weights("a", 1, "b", 1),
        List.of(REVENUE), List.of(), Map.of(),
        new BanditView("gaussian", "revenue", Map.of("a", new double[] {3.5, 0.2}), Map.of("a", 1.0), true));
    JsonObject g = roundTrip(new ResultsCalculator().toJson(gaussian)).getJsonObject("bandit");
    assertEquals(3.5, g.getJsonArray("arms").getJsonObject(0).getJsonObject("posterior").getDouble("mean"));
    assertEquals(0.2, g.getJsonArray("arms").getJsonObject(0).getJsonObject("posterior").getDouble("sd"));
    assertNull(g.getJsonArray("arms").getJsonObject(1).getValue("posterior"), "no posterior for b yet");
    assertTrue(g.getBoolean("warmingUp"));
  }

  @Test
  void slicesCompareDeclaredMetricsOnlyAndCanBeFiltered() {
    Map<String, Map<String, List<ArmData>>> slices = new LinkedHashMap<>();
    slices.put("region", Map.of("eu", List.of(conversion("a", 500, 50), conversion("b", 500, 70))));
    slices.put("client", Map.of("web", List.of(conversion("a", 500, 50), conversion("b", 500, 60))));
    ResultsInput in = new ResultsInput("s", "v", "a", List.of("a", "b"), weights("a", 1, "b", 1),
        List.of(CONVERSION), List.of(conversion("a", 1000, 100), conversion("b", 1000, 130)), slices, null);
    ResultsCalculator calc = new ResultsCalculator();
    JsonObject all = calc.toJson(in);
    assertEquals(2, all.getJsonArray("slices").size());
    JsonObject eu = sliceValue(all, "region", "eu");
    assertEquals(1, eu.getJsonArray("comparisons").size(), "no latency or error rate in slices");
    JsonObject c = comparison(eu.getJsonArray("comparisons"), "b", "conversion");
    ComparisonResult direct = Comparison.compare(BinaryStats.of(500, 50), BinaryStats.of(500, 70), OPTIONS);
    assertEquals(direct.pValue(), c.getDouble("pValue"));
    assertEquals(direct.pValue(), c.getDouble("pValueHolm"), "a family of one");
    assertNull(arm(eu.getJsonArray("arms"), "a").getValue("latencyMs"));

    JsonObject filtered = calc.toJson(in, "client");
    assertEquals(1, filtered.getJsonArray("slices").size());
    assertEquals("client", filtered.getJsonArray("slices").getJsonObject(0).getString("dimension"));
    assertTrue(calc.toJson(in, "nope").getJsonArray("slices").isEmpty());
  }

  @Test
  void misuseIsRejectedNamingTheValueAndTheRule() {
    ResultsCalculator calc = new ResultsCalculator();
    Map<String, Integer> w = weights("a", 1, "b", 1);
    List<ResultsInput> bad = List.of(
        new ResultsInput("e", "v", "z", List.of("a", "b"), w, List.of(), List.of(), Map.of(), null),
        new ResultsInput("e", "v", "a", List.of("a", "b"), w, List.of(), List.of(conversion("x", 1, 0)), Map.of(),
            null),
        new ResultsInput("e", "v", "a", List.of("a", "b"), w, List.of(),
            List.of(conversion("a", 1, 0), conversion("a", 2, 0)), Map.of(), null),
        new ResultsInput("e", "v", "a", List.of("a", "b"), w, List.of(),
            List.of(new ArmData("a", 10, 10, 5, 6, null, Map.of(), Map.of())), Map.of(), null),
        new ResultsInput("e", "v", "a", List.of("a", "b"), w,
            List.of(new MetricDef("latency", false, false, false, false)), List.of(), Map.of(), null));
    List<String> messages = List.of("control: z (expected: one of [a, b])", "pooled[0].arm: x",
        "pooled[1].arm: a (expected: one entry per arm)", "pooled[0].errors: 6 (expected: <= requests 5)",
        "metrics[0].name: latency");
    for (int i = 0; i < bad.size(); i++) {
      ResultsInput in = bad.get(i);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> calc.toJson(in));
      assertTrue(e.getMessage().startsWith(messages.get(i)), e.getMessage());
    }
    assertNotNull(calc.toJson(new ResultsInput("e", "v", "a", List.of("a", "b"), null, null, null, null, null)));
  }
}
