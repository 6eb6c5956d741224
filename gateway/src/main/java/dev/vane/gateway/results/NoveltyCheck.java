package dev.vane.gateway.results;

import dev.vane.gateway.counters.NoveltyDays;
import dev.vane.gateway.results.Report.Warning;
import dev.vane.gateway.results.ResultsInput.ArmData;
import dev.vane.gateway.results.ResultsInput.MetricDef;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.Comparison;
import dev.vane.stats.ComparisonResult;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.EffectTrend;
import dev.vane.stats.Interval;
import dev.vane.stats.Options;
import dev.vane.stats.TrendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The novelty check: for the primary metric (else the first declared one) and each treatment, the effect
 * (treatment - control) by whole days since units' first exposure to their arm, and a test for a linear trend of
 * that effect over the days.
 *
 * <p>Each day's effect is the fixed-horizon comparison the pooled results make (difference with its interval and
 * standard error: unpooled Wald for binary metrics, Welch for continuous ones), on that day's exposures and the
 * outcomes attributed to them. The trend is {@link EffectTrend#weightedSlope}: the days' effects regressed on the
 * day with weights 1 / se^2 (a fixed-effect meta-regression), slope = 0 tested with z = slope / se(slope),
 * two-sided, at the calculator's alpha. Days 0..13 enter the regression; the "14+" bucket is shown but left out
 * (its exposures span many days, so it has no single day). A significant slope raises {@code novelty_effect}.
 */
final class NoveltyCheck {
  /** The test's name and one sentence, rendered as {@code novelty.test}. */
  static final String TEST = "weighted_slope_z: inverse-variance weighted least-squares regression of the daily "
      + "effect (treatment - control) on the day since first exposure, days 0-13 (a fixed-effect "
      + "meta-regression), two-sided z-test of slope = 0 with z = slope / se(slope), se(slope) = 1 / sqrt(sum w "
      + "(day - mean day)^2), w = 1 / se(effect)^2";

  /** The rule in one paragraph, rendered in the results' {@code methods}. */
  static final String RULE = "On the primary metric (else the first declared metric), per treatment: the effect "
      + "(treatment - control, with its interval, as the pooled comparisons compute it) on the exposures made d whole "
      + "days after the unit's first exposure to its arm (d = 0..13, and 14+), with the outcomes attributed to "
      + "them. Requests whose first exposure is unknown (no unit id, a non-sticky experiment, an assignment stored "
      + "without it) are left out. Trend: " + TEST + "; it needs at least " + EffectTrend.MIN_POINTS + " days with a "
      + "defined effect and a positive standard error (else reason too_few_days). Warn novelty_effect when p < "
      + "alpha. The days' effects are treated as independent; a unit's requests on several days make them "
      + "positively correlated, which makes the test somewhat liberal.";

  /** Reason of a trend that could not be tested. */
  static final String TOO_FEW_DAYS = "too_few_days";

  private NoveltyCheck() {}

  /**
   * One day's effect.
   *
   * @param day               whole days since first exposure (14 stands for 14 and later)
   * @param label             {@code 0}..{@code 13} or {@code 14+}
   * @param comparison        the day's fixed-horizon comparison
   * @param controlN          control's exposures (binary) or values (continuous) that day
   * @param treatmentN        the same for the treatment
   */
  record Day(int day, String label, ComparisonResult comparison, long controlN, long treatmentN) {}

  /**
   * One treatment's days and trend.
   *
   * @param trend the slope per day of the effect with its test, over days 0..13
   */
  record ByTreatment(String treatment, List<Day> days, TrendResult trend) {}

  /**
   * @param metric      the metric checked
   * @param treatments  per treatment, in arm order
   */
  record Result(String metric, List<ByTreatment> treatments) {}

  /** The check, or null when no metric is declared. */
  static Result compute(ResultsInput in, MetricDef metric, Options options) {
    if (metric == null) {
      return null;
    }
    Map<Integer, List<ArmData>> byDay = in.noveltyDays() == null ? Map.of() : in.noveltyDays();
    List<ByTreatment> out = new ArrayList<>();
    for (String arm : in.arms()) {
      if (arm.equals(in.control())) {
        continue;
      }
      List<Day> days = new ArrayList<>();
      for (int d = 0; d < NoveltyDays.BUCKETS; d++) {
        List<ArmData> data = byDay.get(d);
        if (data == null) {
          continue;
        }
        ArmData c = find(data, in.control());
        ArmData t = find(data, arm);
        if (c == null || t == null) {
          continue;
        }
        days.add(day(d, metric, c, t, options));
      }
      out.add(new ByTreatment(arm, List.copyOf(days), trend(days, options.alpha())));
    }
    return new Result(metric.name(), List.copyOf(out));
  }

  private static Day day(int d, MetricDef m, ArmData control, ArmData treatment, Options options) {
    String label = NoveltyDays.bucket(d);
    if (m.binary()) {
      BinaryStats c = ResultsCalculator.binary(control, m);
      BinaryStats t = ResultsCalculator.binary(treatment, m);
      return new Day(d, label, Comparison.compare(c, t, options), c.exposures(), t.exposures());
    }
    ContinuousStats c = ResultsCalculator.continuous(control, m);
    ContinuousStats t = ResultsCalculator.continuous(treatment, m);
    return new Day(d, label, Comparison.compare(c, t, options.withCuped(false)), c.count(), t.count());
  }

  /** The weighted slope over days 0..13 (the 14+ bucket has no single day). */
  private static TrendResult trend(List<Day> days, double alpha) {
    List<Day> used = days.stream().filter(x -> x.day() < NoveltyDays.BUCKETS - 1).toList();
    double[] x = new double[used.size()];
    double[] y = new double[used.size()];
    double[] se = new double[used.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = used.get(i).day();
      y[i] = used.get(i).comparison().difference();
      se[i] = used.get(i).comparison().standardError();
    }
    return EffectTrend.weightedSlope(x, y, se, alpha);
  }

  /** {@code novelty_effect} for each treatment whose trend is significant at {@code alpha}. */
  static List<Warning> warnings(Result r, double alpha) {
    List<Warning> out = new ArrayList<>();
    if (r == null) {
      return out;
    }
    for (ByTreatment t : r.treatments()) {
      TrendResult trend = t.trend();
      if (trend.significant()) {
        out.add(new Warning("novelty_effect", null, null, null, null, List.of(),
            r.metric() + ": the effect of " + t.treatment() + " (treatment - control) changes by "
                + String.format(Locale.ROOT, "%+.4g", trend.slope()) + " per day since units' first exposure (p = "
                + String.format(Locale.ROOT, "%.4g", trend.pValue()) + " < " + alpha + ", " + trend.points()
                + " days): a novelty or primacy effect; the pooled effect may not last"));
      }
    }
    return out;
  }

  /** The reason of an untestable trend, or null. */
  static String reason(TrendResult t) {
    return t.reasons().isEmpty() ? null : TOO_FEW_DAYS;
  }

  /** Interval of a day's difference. */
  static Interval interval(Day d) {
    return d.comparison().differenceInterval();
  }

  private static ArmData find(List<ArmData> data, String arm) {
    for (ArmData a : data) {
      if (a.arm().equals(arm)) {
        return a;
      }
    }
    return null;
  }
}
