package dev.vane.gateway.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Policy;
import dev.vane.router.Role;
import dev.vane.router.Targeting;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.junit.jupiter.api.Test;

class ResponseResultsTest {
  static final Experiment E = new Experiment("e", "e", "v1",
      List.of(new Arm("control", Role.CHAMPION, "x", 3334, 0), new Arm("shifted", Role.VARIANT, "x", 3333, 1),
          new Arm("same", Role.VARIANT, "x", 3333, 2)), List.of(), 10_000, true, false, false, Targeting.NONE,
      Policy.HASH, false);
  static final Analysis A = new Analysis(List.of(), List.of(), List.of(), Duration.ofHours(1), null, null,
      List.of(new Analysis.ResponseMetric("score", "/p", Analysis.Aggregate.FIRST, null, 1024)));

  /**
   * The results' {@code drift} comes from the production sketches (value x 1000 rounded, HdrHistogram at 2
   * significant digits), so it is KS on bucketed values, not on the raw ones. Reference:
   * {@code src/test/resources/reference/drift_sketch_reference.py} (SciPy 1.17.1; its output is
   * {@code drift_sketch_reference.out}) draws N(4, 1) x 1200 (control), N(4.2, 1) x 1000 (shifted) and N(4, 1) x 1000
   * (same), seed 6 (seeds 1..7 give the identical case asymptotic p from 0.02 to 0.76; 6 is a middling one, with every
   * value above 0), 4 decimals, into {@code drift_sketch_data.txt}, which this test records through the arms' cells.
   *
   * <ul>
   *   <li>D equals {@code ks_2samp} on the values mapped to their sketch buckets (the script maps them itself:
   *       round(v x 1000), then the bucket 2^max(0, bitlength - 8) wide), to 1e-12; its p-value is
   *       {@code kstwobign.sf(sqrt(nm/(n+m)) D)} to 1e-12 relative.</li>
   *   <li>Against {@code ks_2samp} on the raw values: 0 &lt;= D_raw - D_sketch &lt;= s, where s is the largest share
   *       either sample has in one bucket (a bucket lumps values together, so the sketch's D is the raw ECDF gap at
   *       bucket edges only, and inside one bucket each ECDF moves by at most its share there). At 2 digits a
   *       bucket spans at most 1/128 of its value (0.032 for 4.096..8.192), so for N(4, 1) s is about 0.4 x 0.032
   *       = 0.013 in expectation; here s is 0.022 and 0.0175 (sampling noise), the gaps 0.0025 and 0.0018.</li>
   *   <li>The p-value against {@code ks_2samp(a, b, method='asymp')}: never below it (a smaller D, and the
   *       limiting distribution above the finite-n one SciPy uses), and at most 2.5 times it. A gap g in D moves
   *       lambda by sqrt(nm/(n+m)) g = 23.4 g and so a small p by about exp(4 lambda 23.4 g): x1.8 for the shift
   *       (lambda 2.6), times ~1.1 from the limiting distribution; here 3.56e-6 against 1.76e-6 (x2.0) for the
   *       shift and 0.444 against 0.374 (x1.19) for the identical distributions.</li>
   * </ul>
   */
  @Test
  void sketchDriftMatchesScipyKs2sampOnTheRawValuesWithinTheBucketShare() throws Exception {
    Map<String, double[]> data = data();
    ResponseCounters counters = new ResponseCounters(E, A);
    data.forEach((arm, values) -> {
      for (double v : values) {
        assertTrue(counters.arm(arm).record("score", v));
      }
    });
    ResponseCounters.Snapshot s = counters.snapshot();
    JsonObject m = ResponseResults.toJson(E, A, Map.of(), s, OutcomeCounters.Snapshot.EMPTY).getJsonArray("metrics")
        .getJsonObject(0);
    Map<String, JsonObject> drift = new HashMap<>();
    for (Object c : m.getJsonArray("comparisons")) {
      drift.put(((JsonObject) c).getString("treatment"), ((JsonObject) c).getJsonObject("drift"));
    }
    Histogram control = s.arms().get("control").get("score").sketch();
    assertEquals(1200, control.getTotalCount());

    // drift_sketch_reference.out
    check(drift.get("shifted"), control, s.arms().get("shifted").get("score").sketch(), 0.11266666666666666,
        1.7566853945729077e-06, 0.11016666666666666, 3.5559684151873508e-06, 0.022);
    check(drift.get("same"), control, s.arms().get("same").get("score").sketch(), 0.03883333333333333,
        0.3741713225239842, 0.037, 0.44410477068939846, 0.0175);
    assertTrue(drift.get("shifted").getBoolean("flagged") && !drift.get("same").getBoolean("flagged"));
  }

  private static void check(JsonObject drift, Histogram control, Histogram treatment, double rawD, double asympP,
      double bucketD, double bucketP, double bucketShare) {
    double d = drift.getDouble("ksStatistic");
    double p = drift.getDouble("ksPValue");
    assertEquals(bucketD, d, 1e-12, "D on the buckets: " + drift);
    assertEquals(bucketP, p, 1e-12 * bucketP, "kstwobign at the buckets' D: " + drift);
    double share = Math.max(largestShare(control), largestShare(treatment));
    assertEquals(bucketShare, share, 1e-12, "the script's buckets are the sketch's");
    assertTrue(rawD - d >= 0 && rawD - d <= share, "0 <= " + rawD + " - " + d + " <= " + share);
    assertTrue(p >= asympP && p <= 2.5 * asympP, p + " against ks_2samp asymp " + asympP);
  }

  /** The largest share of the sketch's values in one bucket. */
  private static double largestShare(Histogram h) {
    long most = 0;
    for (HistogramIterationValue v : h.recordedValues()) {
      most = Math.max(most, v.getCountAtValueIteratedTo());
    }
    return most / (double) h.getTotalCount();
  }

  /** drift_sketch_data.txt: arm name, a space, the values comma-separated. */
  private static Map<String, double[]> data() throws Exception {
    Map<String, double[]> out = new HashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        ResponseResultsTest.class.getResourceAsStream("/reference/drift_sketch_data.txt"), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String[] parts = line.split(" ");
        String[] values = parts[1].split(",");
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
          v[i] = Double.parseDouble(values[i]);
        }
        out.put(parts[0], v);
      }
    }
    return out;
  }
}
