package dev.vane.gateway.results;

import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.counters.SeriesPeriod;
import dev.vane.gateway.results.ResultsInput.MetricDef;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.Comparison;
import dev.vane.stats.ComparisonResult;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.Options;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * The results' {@code overTime} section: for every declared metric and the built-in {@value
 * ResultsCalculator#ERROR_RATE}, every treatment against the control per interval and cumulatively from the first
 * interval up to the end of each, from the time series' sums ({@link SeriesPeriod}).
 *
 * <p>Each comparison is one fixed-horizon {@link Comparison#compare} at the options' alpha: binary metrics take an
 * arm's exposures in the interval as trials and its positive events attributed to those exposures as successes
 * (pooled z-test, unpooled Wald interval), continuous metrics the count, sum and sum of squares of the values
 * attributed to them (Welch), the error rate 5xx answers over requests. No always-valid state and no Holm
 * adjustment: these are for looking at a trend, and a per-interval p-value is not corrected for looking at many.
 * Outcomes count in the interval of their exposure, so an interval's rate is of its own exposures; the latest
 * intervals' outcomes may still be arriving (up to the attribution window).
 */
public final class OverTime {
  private OverTime() {}

  /**
   * The section, as JSON.
   *
   * @param in        the experiment's results input (arms, control, declared metrics)
   * @param interval  {@code 1h} or {@code 1d}, as asked
   * @param from      start of the first interval (epoch milliseconds)
   * @param to        end of the last interval
   * @param intervals the sums of each interval, oldest first (empty ones included)
   */
  public static JsonObject render(ResultsInput in, Options options, String interval, long from, long to,
      List<SeriesPeriod> intervals) {
    JsonObject metrics = new JsonObject();
    List<MetricDef> defs = in.metrics() == null ? List.of() : in.metrics();
    for (MetricDef m : defs) {
      metrics.put(m.name(), metric(in, options, m, intervals));
    }
    metrics.put(ResultsCalculator.ERROR_RATE, metric(in, options, null, intervals));
    return new JsonObject()
        .put("interval", interval)
        .put("from", Instant.ofEpochMilli(from).toString())
        .put("to", Instant.ofEpochMilli(to).toString())
        .put("metrics", metrics);
  }

  /** One metric ({@code m == null}: the error rate): treatment arm → rows. */
  private static JsonObject metric(ResultsInput in, Options options, MetricDef m, List<SeriesPeriod> intervals) {
    JsonObject byTreatment = new JsonObject();
    if (intervals.isEmpty()) {
      for (String arm : in.arms()) {
        if (!arm.equals(in.control())) {
          byTreatment.put(arm, new JsonArray());
        }
      }
      return byTreatment;
    }
    SeriesPeriod.Layout layout = intervals.get(0).layout();
    int control = layout.arms().indexOf(in.control());
    int metric = m == null ? -1 : layout.metrics().indexOf(m.name());
    for (String arm : in.arms()) {
      if (arm.equals(in.control())) {
        continue;
      }
      int treatment = layout.arms().indexOf(arm);
      SeriesPeriod cumulative = new SeriesPeriod(layout, intervals.get(0).startMillis());
      JsonArray rows = new JsonArray();
      for (SeriesPeriod p : intervals) {
        cumulative.add(p);
        rows.add(new JsonObject()
            .put("t", Instant.ofEpochMilli(p.startMillis()).toString())
            .put("interval", compare(options, m, p, control, treatment, metric, true))
            .put("cumulative", compare(options, m, cumulative, control, treatment, metric, false)));
      }
      byTreatment.put(arm, rows);
    }
    return byTreatment;
  }

  /**
   * Treatment against control within one period: difference = treatment mean − control mean, its interval and
   * p-value; each null when undefined (an empty arm, fewer than two values of a continuous metric).
   */
  private static JsonObject compare(Options options, MetricDef m, SeriesPeriod p, int c, int t, int metric,
      boolean withArms) {
    ComparisonResult r;
    long nc;
    long nt;
    if (m == null || m.binary()) {
      BinaryStats bc = binary(p, c, metric);
      BinaryStats bt = binary(p, t, metric);
      nc = bc.exposures();
      nt = bt.exposures();
      r = Comparison.compare(bc, bt, options);
    } else {
      ContinuousStats sc = continuous(p, c, metric);
      ContinuousStats st = continuous(p, t, metric);
      nc = sc.count();
      nt = st.count();
      r = Comparison.compare(sc, st, options);
    }
    boolean empty = nc == 0 || nt == 0;
    JsonObject o = new JsonObject();
    if (withArms) {
      o.put("control", new JsonObject().put("n", nc).put("mean", nc == 0 ? null : number(r.controlMean())))
          .put("treatment", new JsonObject().put("n", nt).put("mean", nt == 0 ? null : number(r.treatmentMean())));
    }
    return o.put("difference", empty ? null : number(r.difference()))
        .put("ciLow", empty ? null : number(r.differenceInterval().low()))
        .put("ciHigh", empty ? null : number(r.differenceInterval().high()))
        .put("pValue", empty ? null : number(r.pValue()));
  }

  /** Trials and successes: exposures and positive events, or (metric &lt; 0) requests and 5xx answers. */
  static BinaryStats binary(SeriesPeriod p, int arm, int metric) {
    if (metric < 0) {
      return BinaryStats.of(p.arm(arm, SeriesPeriod.REQUESTS),
          Math.min(p.arm(arm, SeriesPeriod.REQUESTS), p.arm(arm, SeriesPeriod.STATUS_2XX + 3)));
    }
    long exposures = p.arm(arm, SeriesPeriod.EXPOSURES);
    return BinaryStats.of(exposures, Math.min(exposures, p.outcome(arm, metric).n()));
  }

  static ContinuousStats continuous(SeriesPeriod p, int arm, int metric) {
    OutcomeCounters.Sums s = p.outcome(arm, metric);
    return s.n() == 0 ? ContinuousStats.EMPTY : ContinuousStats.fromSums(s.n(), s.sum(), s.sumSq());
  }

  private static Double number(double x) {
    return Double.isFinite(x) ? x : null;
  }
}
