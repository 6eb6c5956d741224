package dev.vane.gateway.results;

import static dev.vane.gateway.results.Data.CONVERSION;
import static dev.vane.gateway.results.Data.REVENUE;
import static dev.vane.gateway.results.Data.conversion;
import static dev.vane.gateway.results.Data.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.results.ResultsInput.ArmData;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.Comparison;
import dev.vane.stats.ComparisonResult;
import dev.vane.stats.EffectTrend;
import dev.vane.stats.Options;
import dev.vane.stats.TrendResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/** The novelty check in the results: the effect by day since first exposure, its trend test and the warning. */
class NoveltyCheckTest {

  /** 4,000 exposures per arm per day; the control converts 10%; the treatment's successes per day as given. */
  private static ResultsInput byDay(int days, IntToLongFunction treatmentSuccesses) {
    Map<Integer, List<ArmData>> byDay = new TreeMap<>();
    long ct = 0;
    long cs = 0;
    long tt = 0;
    long ts = 0;
    for (int d = 0; d < days; d++) {
      long s = treatmentSuccesses.applyAsLong(d);
      byDay.put(d, List.of(conversion("a", 4000, 400), conversion("b", 4000, s)));
      ct += 4000;
      cs += 400;
      tt += 4000;
      ts += s;
    }
    return new ResultsInput("nov", "v1", "a", List.of("a", "b"), weights("a", 5000, "b", 5000),
        List.of(CONVERSION), List.of(conversion("a", ct, cs), conversion("b", tt, ts)), Map.of(), null, byDay);
  }

  private static JsonObject novelty(JsonObject json) {
    return json.getJsonObject("novelty");
  }

  private static List<String> warningCodes(JsonObject json) {
    return json.getJsonArray("warnings").stream().map(w -> ((JsonObject) w).getString("code")).toList();
  }

  @Test
  void aPlantedNoveltyEffectThatFadesIsFlagged() {
    // treatment: 16% on day 0, fading by 0.5 points a day to 11.5% on day 9 (control 10% throughout)
    JsonObject json = new ResultsCalculator().toJson(byDay(10, d -> 640 - 20L * d));
    JsonObject n = novelty(json);
    assertEquals("conversion", n.getString("metric"));
    assertTrue(n.getString("test").startsWith("weighted_slope_z"), n.getString("test"));
    JsonObject b = n.getJsonObject("byTreatment").getJsonObject("b");
    JsonArray days = b.getJsonArray("byDay");
    assertEquals(10, days.size());
    JsonObject day0 = days.getJsonObject(0);
    assertEquals("0", day0.getString("day"));
    assertEquals(0.06, day0.getDouble("difference"), 1e-12);
    ComparisonResult expected = Comparison.compare(BinaryStats.of(4000, 400), BinaryStats.of(4000, 640),
        Options.defaults());
    assertEquals(expected.differenceInterval().low(), day0.getDouble("ciLow"), 1e-15, "as the comparisons compute it");
    assertEquals(expected.differenceInterval().high(), day0.getDouble("ciHigh"), 1e-15);
    assertEquals(4000, day0.getJsonObject("control").getLong("n"));
    assertEquals(0.1, day0.getJsonObject("control").getDouble("mean"), 1e-15);
    assertEquals(0.16, day0.getJsonObject("treatment").getDouble("mean"), 1e-15);

    JsonObject trend = b.getJsonObject("trend");
    // the same regression done directly on the days' differences and standard errors
    double[] x = new double[10];
    double[] y = new double[10];
    double[] se = new double[10];
    for (int d = 0; d < 10; d++) {
      ComparisonResult c = Comparison.compare(BinaryStats.of(4000, 400), BinaryStats.of(4000, 640 - 20L * d),
          Options.defaults());
      x[d] = d;
      y[d] = c.difference();
      se[d] = c.standardError();
    }
    TrendResult direct = EffectTrend.weightedSlope(x, y, se, 0.05);
    assertEquals(direct.slope(), trend.getDouble("slopePerDay"), 1e-15);
    assertTrue(trend.getDouble("slopePerDay") < -0.004 && trend.getDouble("slopePerDay") > -0.006,
        "about -0.005 a day: " + trend);
    assertEquals(direct.pValue(), trend.getDouble("pValue"), 1e-15);
    assertTrue(trend.getBoolean("significant"));
    assertNull(trend.getValue("reason"));
    assertEquals(10, trend.getInteger("days"));
    assertTrue(warningCodes(json).contains("novelty_effect"), json.getJsonArray("warnings").encode());
    String detail = json.getJsonArray("warnings").stream().map(w -> (JsonObject) w)
        .filter(w -> w.getString("code").equals("novelty_effect")).findFirst().orElseThrow().getString("detail");
    assertTrue(detail.startsWith("conversion: the effect of b"), detail);
    assertTrue(json.getJsonObject("methods").getString("novelty").contains("too_few_days"));
  }

  @Test
  void aSteadyEffectIsNotFlagged() {
    // +2 points every day, with day-to-day noise of a few successes
    long[] noise = {3, -5, 0, 4, -2, 1, -4, 2, 0, -1};
    JsonObject json = new ResultsCalculator().toJson(byDay(10, d -> 480 + noise[d]));
    JsonObject trend = novelty(json).getJsonObject("byTreatment").getJsonObject("b").getJsonObject("trend");
    assertFalse(trend.getBoolean("significant"), trend.encode());
    assertTrue(trend.getDouble("pValue") > 0.05);
    assertFalse(warningCodes(json).contains("novelty_effect"));
  }

  @Test
  void fewerThanThreeDaysGiveTooFewDaysAndTheFourteenPlusBucketIsShownButNotRegressed() {
    Map<Integer, List<ArmData>> byDay = new TreeMap<>();
    byDay.put(0, List.of(conversion("a", 4000, 400), conversion("b", 4000, 640)));
    byDay.put(1, List.of(conversion("a", 4000, 400), conversion("b", 4000, 600)));
    byDay.put(14, List.of(conversion("a", 4000, 400), conversion("b", 4000, 400)));
    ResultsInput in = new ResultsInput("few", "v1", "a", List.of("a", "b"), weights("a", 5000, "b", 5000),
        List.of(CONVERSION), List.of(conversion("a", 12000, 1200), conversion("b", 12000, 1640)), Map.of(), null,
        byDay);
    JsonObject b = novelty(new ResultsCalculator().toJson(in)).getJsonObject("byTreatment").getJsonObject("b");
    assertEquals(List.of("0", "1", "14+"),
        b.getJsonArray("byDay").stream().map(d -> ((JsonObject) d).getString("day")).toList());
    JsonObject trend = b.getJsonObject("trend");
    assertEquals("too_few_days", trend.getString("reason"));
    assertNull(trend.getValue("slopePerDay"));
    assertFalse(trend.getBoolean("significant"));
    assertEquals(2, trend.getInteger("days"), "14+ is not a day of the regression");
  }

  @Test
  void noMetricMeansNoCheckAndNoDaysMeansAnEmptyOne() {
    ResultsInput none = new ResultsInput("o", "v", "a", List.of("a", "b"), Map.of(), List.of(), List.of(
        conversion("a", 1, 0), conversion("b", 1, 0)), Map.of(), null);
    assertNull(new ResultsCalculator().toJson(none).getValue("novelty"));
    ResultsInput empty = new ResultsInput("e", "v", "a", List.of("a", "b"), Map.of(), List.of(REVENUE, CONVERSION),
        List.of(conversion("a", 1, 0), conversion("b", 1, 0)), Map.of(), null);
    JsonObject n = novelty(new ResultsCalculator().toJson(empty));
    assertEquals("conversion", n.getString("metric"), "the primary metric, though declared second");
    assertEquals(0, n.getJsonObject("byTreatment").getJsonObject("b").getJsonArray("byDay").size());
  }
}
