package dev.vane.gateway.results;

import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Everything the results endpoint needs about one experiment version, as plain sums (already added up over
 * instances when Redis is configured). Built by the gateway; rendered by {@link ResultsCalculator}.
 *
 * @param experimentId experiment id
 * @param version      experiment version (config hash)
 * @param control      control arm id (the baseline of every comparison)
 * @param arms         arm ids in layout order (control included)
 * @param weightsBps   configured weight per arm in basis points (for the sample-ratio check)
 * @param metrics      declared metrics; the built-in latency and error-rate metrics are not listed here
 * @param pooled       per-arm data over the whole experiment
 * @param slices       dimension → value → per-arm data (values beyond a dimension's cardinality bound are
 *                     grouped as {@code other}); empty when no slices are configured
 * @param bandit       bandit state for {@code policy: thompson} experiments, else null
 * @param assigned     per arm, independent assignments (units whose sticky assignment this version created plus
 *                     exposures without a unit id, see {@code Figures.Arm#assigned}); the sample-ratio check counts
 *                     these when any arm has some, else exposures; empty when not known
 * @param noveltyDays  whole days since units' first exposure (0..13, 14 for "14 and later") → per-arm data of the
 *                     exposures made that day and the outcomes attributed to them; empty when not counted
 */
public record ResultsInput(String experimentId, String version, String control, List<String> arms,
    Map<String, Integer> weightsBps, List<MetricDef> metrics, List<ArmData> pooled,
    Map<String, Map<String, List<ArmData>>> slices, BanditView bandit, Map<Integer, List<ArmData>> noveltyDays,
    Map<String, Long> assigned) {

  /** Without counts of independent assignments (the sample-ratio check then counts exposures). */
  public ResultsInput(String experimentId, String version, String control, List<String> arms,
      Map<String, Integer> weightsBps, List<MetricDef> metrics, List<ArmData> pooled,
      Map<String, Map<String, List<ArmData>>> slices, BanditView bandit, Map<Integer, List<ArmData>> noveltyDays) {
    this(experimentId, version, control, arms, weightsBps, metrics, pooled, slices, bandit, noveltyDays, Map.of());
  }

  /** Without data by days since first exposure. */
  public ResultsInput(String experimentId, String version, String control, List<String> arms,
      Map<String, Integer> weightsBps, List<MetricDef> metrics, List<ArmData> pooled,
      Map<String, Map<String, List<ArmData>>> slices, BanditView bandit) {
    this(experimentId, version, control, arms, weightsBps, metrics, pooled, slices, bandit, Map.of());
  }

  /**
   * A declared metric.
   *
   * @param name           metric name as sent in feedback
   * @param binary         true for binary (conversion) metrics, false for continuous
   * @param higherIsBetter direction
   * @param primary        the experiment's primary metric (at most one; the bandit optimises it)
   * @param guardrail      a guardrail metric
   */
  public record MetricDef(String name, boolean binary, boolean higherIsBetter, boolean primary, boolean guardrail) {}

  /**
   * One arm's figures within the pooled data or one slice.
   *
   * @param arm        arm id
   * @param exposures  exposure requests (the denominator of binary metrics: successes / exposures)
   * @param units      distinct units exposed (exact or HyperLogLog estimate)
   * @param requests   all requests routed to the arm (exposures or not)
   * @param errors     requests answered with a 5xx (error rate = errors / requests, 0 when no requests)
   * @param latency    end-to-end latency in microseconds (HdrHistogram), or null when not tracked (slices)
   * @param binary     per binary metric: (trials = exposures, successes = positive feedback events)
   * @param continuous per continuous metric: count, mean and M2 of the feedback values
   */
  public record ArmData(String arm, long exposures, long units, long requests, long errors, Histogram latency,
      Map<String, BinaryStats> binary, Map<String, ContinuousStats> continuous) {}

  /**
   * A Thompson-sampling bandit's state.
   *
   * @param kind       {@code bernoulli} or {@code gaussian}
   * @param metric     the metric it optimises
   * @param posterior  per arm: Bernoulli {alpha, beta}; Gaussian {mean, sd of the mean}
   * @param allocation per arm: probability that a decision picks it now (after exploration floor / warm-up)
   * @param warmingUp  whether allocation is still uniform (warm-up not finished)
   */
  public record BanditView(String kind, String metric, Map<String, double[]> posterior, Map<String, Double> allocation,
      boolean warmingUp) {}
}
