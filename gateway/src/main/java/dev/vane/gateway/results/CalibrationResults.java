package dev.vane.gateway.results;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.CalibrationCounters;
import dev.vane.gateway.counters.ReferenceSketches;
import dev.vane.stats.Drift;
import dev.vane.stats.DriftResult;
import dev.vane.stats.LatencyStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The results' {@code responseMetrics.calibration}: per response metric that {@code calibrates} a binary metric, per
 * arm ({@link CalibrationCounters}, summed over instances where they share figures), with y = 1 for a request with positive feedback of the
 * metric and 0 otherwise:
 * <ul>
 *   <li>{@code brier} = mean of (p - y)^2, {@code logLoss} = mean of -(y log p + (1 - y) log(1 - p)) with p clipped to
 *       [1e-15, 1 - 1e-15]; each with a 95% interval, mean +/- 1.96 sd / sqrt(n) of the per-request losses (normal
 *       approximation); null when n == 0 (the interval when n &lt; 2);</li>
 *   <li>{@code ece} = sum over bins of (n_bin / n) |mean prediction - observed rate|, 10 equal-width bins over [0, 1];
 *       null when n == 0;</li>
 *   <li>{@code bins}: per bin its bounds, count, mean prediction, observed rate = positives / count and its 95% Wilson
 *       interval (null when the bin is empty).</li>
 * </ul>
 */
public final class CalibrationResults {
  private CalibrationResults() {}

  static final double Z = 1.959963984540054;

  /**
   * @param figures the calibration figures (this instance's or summed over instances)
   * @param source  where they come from ({@code local} or the shared store's description)
   */
  public static JsonArray toJson(Analysis analysis, CalibrationCounters.Figures figures, String source) {
    JsonArray out = new JsonArray();
    Map<String, Map<String, CalibrationCounters.Cell>> snap = figures.cells();
    for (Analysis.ResponseMetric m : analysis.responseMetrics()) {
      if (m.calibrates() == null) {
        continue;
      }
      JsonArray arms = new JsonArray();
      snap.forEach((arm, cells) -> {
        CalibrationCounters.Cell c = cells.get(m.name());
        if (c != null) {
          arms.add(arm(c).put("arm", arm));
        }
      });
      out.add(new JsonObject().put("metric", m.name()).put("outcome", m.calibrates()).put("arms", arms)
          .put("unjoinedDropped", figures.dropped()).put("unjoined", figures.unjoined()).put("figures", source));
    }
    return out;
  }

  static JsonObject arm(CalibrationCounters.Cell c) {
    long n = c.count();
    long positives = 0;
    double ece = 0;
    JsonArray bins = new JsonArray();
    for (int b = 0; b < CalibrationCounters.BINS; b++) {
      long k = c.n()[b];
      long x = c.positives()[b];
      positives += x;
      double mean = k == 0 ? Double.NaN : c.sumP()[b] / k;
      double rate = k == 0 ? Double.NaN : (double) x / k;
      if (k > 0) {
        ece += (double) k / n * Math.abs(mean - rate);
      }
      double[] w = wilson(x, k);
      bins.add(new JsonObject().put("low", (double) b / CalibrationCounters.BINS)
          .put("high", (double) (b + 1) / CalibrationCounters.BINS).put("n", k).put("positives", x)
          .put("meanPrediction", num(mean)).put("observedRate", num(rate))
          .put("rateInterval", new JsonObject().put("low", num(w[0])).put("high", num(w[1]))));
    }
    return new JsonObject().put("n", n).put("positives", positives)
        .put("brier", loss(n, c.brierSum(), c.brierSumSq()))
        .put("logLoss", loss(n, c.logSum(), c.logSumSq()))
        .put("ece", n == 0 ? null : ece).put("outOfRange", c.outOfRange()).put("bins", bins);
  }

  /** Mean of the per-request losses and its normal-approximation 95% interval. */
  static JsonObject loss(long n, double sum, double sumSq) {
    double mean = n == 0 ? Double.NaN : sum / n;
    double var = n < 2 ? Double.NaN : Math.max(0, (sumSq - sum * sum / n) / (n - 1));
    double half = Z * Math.sqrt(var / n);
    return new JsonObject().put("value", num(mean)).put("interval", new JsonObject().put("low", num(mean - half))
        .put("high", num(mean + half)));
  }

  /** Wilson score interval of x successes in n at 95%; NaNs when n == 0. */
  static double[] wilson(long x, long n) {
    if (n == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double p = (double) x / n;
    double z2 = Z * Z;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = Z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
  }

  /**
   * Adds {@code referenceDrift} to each arm of each metric (of {@code section}'s {@code metrics}) that has a reference
   * window: Kolmogorov-Smirnov D and p-value and PSI ({@link Drift}) of the values after the window against the
   * window's, flagged when p &lt; 0.05; null figures with a reason while the window is open
   * ({@code reference_window_open}) or either side has no value ({@code empty_reference}, {@code no_values_after}).
   */
  public static void addReferenceDrift(JsonObject section, ReferenceSketches references,
      Map<String, Map<String, ReferenceSketches.Sketches>> sketches) {
    for (Object o : section.getJsonArray("metrics")) {
      JsonObject m = (JsonObject) o;
      for (Object a : m.getJsonArray("arms")) {
        JsonObject arm = (JsonObject) a;
        ReferenceSketches.Cell c = references.cell(sketches, arm.getString("arm"), m.getString("name"));
        if (c == null) {
          continue;
        }
        JsonObject d = new JsonObject().put("windowEnd", java.time.Instant.ofEpochMilli(c.windowEndMillis())
            .toString());
        String why = c.reference() == null ? "reference_window_open"
            : c.reference().getTotalCount() == 0 ? "empty_reference"
            : c.after().getTotalCount() == 0 ? "no_values_after" : null;
        if (why != null) {
          d.put("referenceN", c.reference() == null ? null : c.reference().getTotalCount())
              .put("afterN", c.after() == null ? null : c.after().getTotalCount())
              .put("ksStatistic", null).put("ksPValue", null).put("psi", null).put("flagged", false)
              .put("reasons", new JsonArray().add(why));
        } else {
          DriftResult r = referenceDrift(c);
          d.put("referenceN", c.reference().getTotalCount()).put("afterN", c.after().getTotalCount())
              .put("ksStatistic", num(r.ksStatistic())).put("ksPValue", num(r.ksPValue())).put("psi", num(r.psi()))
              .put("flagged", r.ksPValue() < 0.05).put("reasons", new JsonArray());
        }
        arm.put("referenceDrift", d);
      }
    }
  }

  /**
   * Kolmogorov-Smirnov and PSI ({@link Drift}) of the values after the reference window against the window's, or
   * null while the window is open ({@code c} null or without sketches) or either side has no value. The results'
   * {@code referenceDrift} and the {@code vane_response_reference_drift_*} gauges both read it.
   */
  public static DriftResult referenceDrift(ReferenceSketches.Cell c) {
    if (c == null || c.reference() == null || c.reference().getTotalCount() == 0
        || c.after().getTotalCount() == 0) {
      return null;
    }
    return Drift.compare(LatencyStats.of(c.reference()), LatencyStats.of(c.after()));
  }

  private static Double num(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
