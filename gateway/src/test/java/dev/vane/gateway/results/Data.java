package dev.vane.gateway.results;

import dev.vane.gateway.results.ResultsInput.ArmData;
import dev.vane.gateway.results.ResultsInput.MetricDef;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/** Builders of results inputs and lookups into the rendered JSON, shared by the results tests. */
final class Data {
  private Data() {}

  static final MetricDef CONVERSION = new MetricDef("conversion", true, true, true, false);
  static final MetricDef REVENUE = new MetricDef("revenue", false, true, false, false);
  static final MetricDef BOUNCE = new MetricDef("bounce", true, false, false, true);

  /** Arm data with one binary metric "conversion" (and no latency). */
  static ArmData conversion(String arm, long exposures, long successes) {
    return new ArmData(arm, exposures, exposures, exposures, 0, null,
        Map.of("conversion", BinaryStats.of(exposures, successes)), Map.of());
  }

  /** A histogram of {@code n} seeded log-normal latencies around {@code medianMicros}. */
  static Histogram latency(long seed, int n, double medianMicros) {
    Histogram h = new Histogram(3_600_000_000L, 3);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      h.recordValue(Math.max(1, Math.round(medianMicros * Math.exp(0.4 * gaussian(rng)))));
    }
    return h;
  }

  private static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  static Map<String, Integer> weights(Object... armAndBps) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < armAndBps.length; i += 2) {
      out.put((String) armAndBps[i], (Integer) armAndBps[i + 1]);
    }
    return out;
  }

  /** A two-arm conversion experiment a (control) vs b with one slice dimension. */
  static ResultsInput twoArms(String id, List<ArmData> pooled, String dimension,
      Map<String, List<ArmData>> sliceValues) {
    Map<String, Map<String, List<ArmData>>> slices = new LinkedHashMap<>();
    if (dimension != null) {
      slices.put(dimension, sliceValues);
    }
    return new ResultsInput(id, "v1", "a", List.of("a", "b"), weights("a", 5000, "b", 5000), List.of(CONVERSION),
        pooled, slices, null);
  }

  static JsonObject comparison(JsonArray comparisons, String treatment, String metric) {
    for (int i = 0; i < comparisons.size(); i++) {
      JsonObject c = comparisons.getJsonObject(i);
      if (c.getString("treatment").equals(treatment) && c.getString("metric").equals(metric)) {
        return c;
      }
    }
    throw new AssertionError("no comparison " + treatment + "/" + metric + " in " + comparisons.encode());
  }

  static JsonObject arm(JsonArray arms, String arm) {
    for (int i = 0; i < arms.size(); i++) {
      if (arms.getJsonObject(i).getString("arm").equals(arm)) {
        return arms.getJsonObject(i);
      }
    }
    throw new AssertionError("no arm " + arm + " in " + arms.encode());
  }

  static JsonObject metric(JsonObject arm, String metric) {
    JsonArray metrics = arm.getJsonArray("metrics");
    for (int i = 0; i < metrics.size(); i++) {
      if (metrics.getJsonObject(i).getString("metric").equals(metric)) {
        return metrics.getJsonObject(i);
      }
    }
    throw new AssertionError("no metric " + metric + " in " + arm.encode());
  }

  static JsonObject sliceValue(JsonObject results, String dimension, String value) {
    JsonArray slices = results.getJsonArray("slices");
    for (int i = 0; i < slices.size(); i++) {
      JsonObject d = slices.getJsonObject(i);
      if (d.getString("dimension").equals(dimension)) {
        JsonArray values = d.getJsonArray("values");
        for (int j = 0; j < values.size(); j++) {
          if (values.getJsonObject(j).getString("value").equals(value)) {
            return values.getJsonObject(j);
          }
        }
      }
    }
    throw new AssertionError("no slice " + dimension + "=" + value);
  }

  /** Continuous summary of {@code n} seeded normal values. */
  static ContinuousStats normal(long seed, int n, double mean, double sd) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean + sd * gaussian(rng);
    }
    return ContinuousStats.ofValues(v);
  }
}
