package dev.vane.gateway.results;

import dev.vane.stats.Interval;
import dev.vane.stats.Options;
import dev.vane.stats.SequentialState;
import java.util.List;
import java.util.Set;

/**
 * The figures of one results look, computed once by {@link ResultsCalculator} and rendered by both
 * {@link ResultsJson} and {@link ResultsCsv}, so the two formats cannot drift. NaN marks an undefined number; the
 * renderers turn it (and infinities) into {@code null} or an empty cell.
 *
 * @param input       what was rendered
 * @param options     statistics options (alpha: significance level of tests and intervals)
 * @param reasons     experiment-level reason codes (e.g. {@code single_arm}, {@code no_exposures})
 * @param arms        per-arm figures over the whole experiment, in layout order
 * @param comparisons every treatment against the control, per metric (declared, then latency, then error_rate)
 * @param holmFamily  number of comparisons with a defined p-value, adjusted together by Holm
 * @param srm         sample-ratio check
 * @param bandit      bandit state, or null
 * @param slices      per slice value, in the input's order
 * @param warnings    Simpson's-paradox and sample-ratio warnings
 */
record Report(ResultsInput input, Options options, Set<String> reasons, List<ArmFigures> arms,
    List<MetricComparison> comparisons, int holmFamily, Srm srm, ResultsInput.BanditView bandit,
    List<Slice> slices, List<Warning> warnings, NoveltyCheck.Result novelty) {

  /**
   * One arm within the pooled data or one slice.
   *
   * @param errorRate errors / requests with its interval; null within slices
   * @param latency   latency figures; null within slices
   * @param metrics   declared metrics, in declaration order
   */
  record ArmFigures(String arm, boolean control, Integer weightBps, long exposures, long units, long requests,
      long errors, Outcome errorRate, Latency latency, List<Outcome> metrics) {}

  /**
   * One arm's outcome on one metric.
   *
   * @param n         binary: trials; continuous: observations; error rate: requests
   * @param successes binary: successes; error rate: errors; continuous: -1 (not applicable)
   * @param estimate  rate = successes / trials, or mean (NaN when n == 0)
   * @param sd        sample standard deviation (continuous, NaN when n &lt; 2); NaN for binary
   * @param interval  equal-tailed 1 - alpha posterior interval of the estimate
   */
  record Outcome(String metric, boolean binary, long n, long successes, double estimate, double sd,
      Interval interval, Set<String> reasons) {}

  /** Latency in milliseconds (NaN when count == 0). */
  record Latency(long count, double p50, double p90, double p99, double p999, double mean, Set<String> reasons) {}

  /**
   * A treatment against the control on one metric. Differences are treatment - control in the metric's unit;
   * {@code probabilityBetter} and the expected losses honour the metric's direction.
   *
   * @param kind              {@code binary}, {@code continuous} or {@code latency}
   * @param test              {@code z}, {@code welch} or {@code mann_whitney}
   * @param controlValue      rate or mean (latency: p50 in ms)
   * @param standardError     standard error of the difference that its interval uses, in the metric's unit
   *                          (unpooled for binary; NaN for latency or an empty arm)
   * @param criticalValue     normal or Student t quantile of both intervals, so the interval is difference -/+
   *                          criticalValue x standardError (NaN for latency or undefined df)
   * @param relative          treatment / control - 1 (NaN for latency)
   * @param pValueHolm        Holm-adjusted p-value within the family, NaN when pValue is NaN
   * @param sequential        always-valid state after this look, null for latency
   * @param expectedLossTreatment expected loss of shipping the treatment if it is worse (metric units, direction-aware)
   * @param expectedLossControl   expected loss of keeping the control if the treatment is better
   * @param controlExposures  control arm exposures in the data compared (for the slice data rule)
   * @param treatmentExposures treatment arm exposures in the data compared
   */
  record MetricComparison(String treatment, String metric, String kind, String test, boolean higherIsBetter,
      double controlValue, double treatmentValue, double difference, Interval differenceInterval,
      double standardError, double criticalValue, double relative, Interval relativeInterval, double statistic, double degreesOfFreedom, double pValue,
      double pValueHolm, SequentialState sequential, double probabilityBetter, double expectedLossTreatment,
      double expectedLossControl, double cupedTheta, Set<String> reasons, long controlExposures,
      long treatmentExposures) {

    MetricComparison withHolm(double adjusted) {
      return new MetricComparison(treatment, metric, kind, test, higherIsBetter, controlValue, treatmentValue,
          difference, differenceInterval, standardError, criticalValue, relative, relativeInterval, statistic,
          degreesOfFreedom, pValue, adjusted, sequential, probabilityBetter, expectedLossTreatment,
          expectedLossControl, cupedTheta, reasons, controlExposures, treatmentExposures);
    }
  }

  /**
   * Sample-ratio check.
   *
   * @param verdict {@code ok}, {@code mismatch}, or null when not computed ({@code reasons} says why)
   * @param arms    arms with a positive weight, with observed and expected exposures
   */
  /** @param basis {@code assignments} or {@code exposures}: what the arms' observed counts are; null when not run */
  record Srm(String verdict, double statistic, int degreesOfFreedom, double pValue, double threshold,
      List<SrmArm> arms, Set<String> reasons, String basis) {
    Srm(String verdict, double statistic, int degreesOfFreedom, double pValue, double threshold, List<SrmArm> arms,
        Set<String> reasons) {
      this(verdict, statistic, degreesOfFreedom, pValue, threshold, arms, reasons, null);
    }
  }

  /** @param expected total observed x weight / sum of weights */
  record SrmArm(String arm, int weightBps, long observed, double expected) {}

  /** One value of one slice dimension. */
  record Slice(String dimension, String value, List<ArmFigures> arms, List<MetricComparison> comparisons,
      int holmFamily) {}

  /**
   * A warning for analysts.
   *
   * @param code      {@code simpsons_paradox}, {@code sample_ratio_mismatch} or {@code novelty_effect}
   * @param dimension slice dimension (Simpson only)
   * @param metric    metric checked (Simpson only)
   * @param treatment treatment arm (Simpson only)
   * @param rule      which rule fired: {@code significant_reversal} or {@code all_slices_reversed}
   * @param values    the reversing slice values
   */
  record Warning(String code, String dimension, String metric, String treatment, String rule,
      List<String> values, String detail) {}
}
