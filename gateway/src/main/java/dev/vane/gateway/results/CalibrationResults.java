package dev.vane.gateway.results;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.CalibrationCounters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The results' {@code responseMetrics.calibration}: per response metric that {@code calibrates} a binary metric, per
 * arm (this instance's figures, {@link CalibrationCounters}), with y = 1 for a request with positive feedback of the
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

  public static JsonArray toJson(Analysis analysis, CalibrationCounters counters) {
    JsonArray out = new JsonArray();
    Map<String, Map<String, CalibrationCounters.Cell>> snap = counters.snapshot();
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
          .put("unjoinedDropped", counters.dropped()).put("figures", "local"));
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

  private static Double num(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
