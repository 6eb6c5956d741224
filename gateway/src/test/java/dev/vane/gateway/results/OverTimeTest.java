package dev.vane.gateway.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vane.gateway.counters.SeriesPeriod;
import dev.vane.stats.Options;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code overTime} section against SciPy 1.17.1 on the same per-interval sums: binary metrics and the error
 * rate as the unpooled Wald interval and pooled two-proportion z-test, the continuous metric as Welch's t
 * ({@code scipy.stats.t}), computed from n, sum and sum of squares alone. Tolerance: 1e-9 absolute on differences
 * and intervals, 1e-7 on p-values (the stats module's own distribution functions).
 */
class OverTimeTest {
  private static final long HOUR = 3_600_000L;
  private static final SeriesPeriod.Layout LAYOUT =
      new SeriesPeriod.Layout(List.of("control", "treatment"), List.of(), List.of("clicks", "revenue"));
  private static final ResultsInput IN = new ResultsInput("e", "v1", "control", List.of("control", "treatment"),
      Map.of(), List.of(new ResultsInput.MetricDef("clicks", true, true, true, false),
          new ResultsInput.MetricDef("revenue", false, true, false, false)), List.of(), Map.of(), null);

  // per hour: exposures (= requests), clicks, revenue n / sum / sum of squares, 5xx answers
  private static final long[][] CONTROL = {{1000, 100, 100, 10}, {1200, 130, 130, 12}, {900, 80, 80, 9}};
  private static final double[][] CONTROL_REVENUE = {{520, 3100}, {700, 4300}, {400, 2300}};
  private static final long[][] TREATMENT = {{1000, 120, 120, 15}, {1100, 140, 140, 11}, {950, 110, 110, 20}};
  private static final double[][] TREATMENT_REVENUE = {{660, 4000}, {800, 5000}, {600, 3700}};

  private static List<SeriesPeriod> intervals() {
    List<SeriesPeriod> out = new ArrayList<>();
    for (int h = 0; h < 3; h++) {
      SeriesPeriod p = new SeriesPeriod(LAYOUT, (500_000 + h) * HOUR);
      fill(p, 0, CONTROL[h], CONTROL_REVENUE[h]);
      fill(p, 1, TREATMENT[h], TREATMENT_REVENUE[h]);
      out.add(p);
    }
    return out;
  }

  private static void fill(SeriesPeriod p, int arm, long[] c, double[] revenue) {
    p.addArm(arm, SeriesPeriod.EXPOSURES, c[0]);
    p.addArm(arm, SeriesPeriod.REQUESTS, c[0]);
    p.addArm(arm, SeriesPeriod.STATUS_2XX + 3, c[3]);
    p.addOutcome(arm, 0, c[1], c[1], c[1]);
    p.addOutcome(arm, 1, c[2], revenue[0], revenue[1]);
  }

  /** {difference, ciLow, ciHigh, pValue} from SciPy, per interval and cumulative. */
  private static void check(JsonObject o, double[] want) {
    assertEquals(want[0], o.getDouble("difference"), 1e-9, o.encode());
    assertEquals(want[1], o.getDouble("ciLow"), 1e-9, o.encode());
    assertEquals(want[2], o.getDouble("ciHigh"), 1e-9, o.encode());
    assertEquals(want[3], o.getDouble("pValue"), 1e-7, o.encode());
  }

  @Test
  void perIntervalAndCumulativeComparisonsMatchScipyOnTheSameSums() {
    JsonObject j = OverTime.render(IN, Options.defaults(), "1h", 500_000 * HOUR, 500_003 * HOUR, intervals());
    assertEquals("1h", j.getString("interval"));
    assertEquals(List.of("clicks", "revenue", "error_rate"), List.copyOf(j.getJsonObject("metrics").fieldNames()));

    JsonArray clicks = j.getJsonObject("metrics").getJsonObject("clicks").getJsonArray("treatment");
    assertEquals(3, clicks.size());
    JsonObject first = clicks.getJsonObject(0).getJsonObject("interval");
    assertEquals(new JsonObject().put("n", 1000L).put("mean", 0.1), first.getJsonObject("control"));
    assertEquals(new JsonObject().put("n", 1000L).put("mean", 0.12), first.getJsonObject("treatment"));
    check(first, new double[] {0.02, -0.00741148199801995, 0.0474114819980199, 0.152917781863946});
    check(clicks.getJsonObject(1).getJsonObject("interval"),
        new double[] {0.0189393939393939, -0.00746375763762913, 0.045342545516417, 0.158666295425945});
    check(clicks.getJsonObject(2).getJsonObject("interval"),
        new double[] {0.0269005847953216, -0.00066163092838992, 0.0544628005190332, 0.0567773237808745});
    check(clicks.getJsonObject(0).getJsonObject("cumulative"),
        new double[] {0.02, -0.00741148199801995, 0.0474114819980199, 0.152917781863946});
    check(clicks.getJsonObject(1).getJsonObject("cumulative"),
        new double[] {0.0192640692640693, 0.000240290868088466, 0.0382878476600501, 0.0468996598883363});
    check(clicks.getJsonObject(2).getJsonObject("cumulative"),
        new double[] {0.0213114754098361, 0.00563403739957625, 0.0369889134200959, 0.00770775569102128});

    JsonArray revenue = j.getJsonObject("metrics").getJsonObject("revenue").getJsonArray("treatment");
    JsonObject r0 = revenue.getJsonObject(0).getJsonObject("interval");
    assertEquals(120, r0.getJsonObject("treatment").getLong("n"), "values, not exposures");
    assertEquals(5.2, r0.getJsonObject("control").getDouble("mean"), 1e-12);
    check(r0, new double[] {0.3, -0.206256868635206, 0.806256868635206, 0.243984368633575});
    check(revenue.getJsonObject(1).getJsonObject("interval"),
        new double[] {0.329670329670329, -0.126560702531412, 0.78590136187207, 0.155957068725604});
    check(revenue.getJsonObject(2).getJsonObject("interval"),
        new double[] {0.454545454545454, -0.114474362132288, 1.0235652712232, 0.116688721188334});
    check(revenue.getJsonObject(1).getJsonObject("cumulative"),
        new double[] {0.311036789297659, -0.0266913663922675, 0.648764944987585, 0.0709749260546885});
    check(revenue.getJsonObject(2).getJsonObject("cumulative"),
        new double[] {0.341761115954665, 0.0511619399818615, 0.632360291927468, 0.0212398928750291});

    JsonArray errors = j.getJsonObject("metrics").getJsonObject("error_rate").getJsonArray("treatment");
    check(errors.getJsonObject(0).getJsonObject("interval"),
        new double[] {0.005, -0.0047359127153353, 0.0147359127153353, 0.314266851077402});
    check(errors.getJsonObject(2).getJsonObject("interval"),
        new double[] {0.0110526315789474, -0.000154202629513121, 0.0222594657874079, 0.0557674113629656});
    check(errors.getJsonObject(2).getJsonObject("cumulative"),
        new double[] {0.00508196721311475, -0.000483735836281412, 0.0106476702625109, 0.0731229364097742});
  }

  @Test
  void anIntervalWithoutExposuresHasNullsNotZeros() {
    List<SeriesPeriod> quiet = List.of(new SeriesPeriod(LAYOUT, 0));
    JsonObject row = OverTime.render(IN, Options.defaults(), "1d", 0, 86_400_000L, quiet).getJsonObject("metrics")
        .getJsonObject("clicks").getJsonArray("treatment").getJsonObject(0);
    JsonObject in = row.getJsonObject("interval");
    assertEquals(0, in.getJsonObject("control").getLong("n"));
    assertNull(in.getJsonObject("control").getValue("mean"));
    for (String f : new String[] {"difference", "ciLow", "ciHigh", "pValue"}) {
      assertNull(in.getValue(f), f);
      assertNull(row.getJsonObject("cumulative").getValue(f), f);
    }
  }
}
