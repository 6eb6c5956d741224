package dev.vane.config;

import java.time.Duration;
import java.util.List;

/**
 * How an experiment is measured and, for bandits, learned from.
 *
 * @param metrics           declared outcome metrics (feedback joins to them by name)
 * @param slices            dimensions to break results down by
 * @param attributionWindow feedback older than this (after its request) is rejected
 * @param bandit            Thompson-sampling settings for {@code policy: thompson}, else null
 */
public record Analysis(List<Metric> metrics, List<Slice> slices, Duration attributionWindow, Bandit bandit) {
  public static final Analysis NONE = new Analysis(List.of(), List.of(), Duration.ofHours(24), null);

  public Analysis {
    metrics = List.copyOf(metrics);
    slices = List.copyOf(slices);
  }

  /** The metric a bandit optimises and Simpson checks use: the primary one, else the first; null when none. */
  public Metric primary() {
    for (Metric m : metrics) {
      if (m.primary()) {
        return m;
      }
    }
    return metrics.isEmpty() ? null : metrics.get(0);
  }

  public Metric metric(String name) {
    for (Metric m : metrics) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    return null;
  }

  /**
   * @param name           metric name used in feedback
   * @param binary         binary (0/1 per event; rate = positive events / exposures) or continuous (mean of values)
   * @param higherIsBetter direction
   * @param primary        the primary metric
   * @param guardrail      a guardrail
   */
  public record Metric(String name, boolean binary, boolean higherIsBetter, boolean primary, boolean guardrail) {}

  /**
   * @param name      dimension name
   * @param header    request header carrying the value, or null
   * @param bodyField top-level JSON body field carrying the value, or null
   * @param maxValues distinct values tracked; later ones are grouped as {@code other}
   */
  public record Slice(String name, String header, String bodyField, int maxValues) {}

  /**
   * @param minExplorationPercent each arm gets at least this share of decisions
   * @param warmup                exposures before the posterior is used (uniform allocation until then)
   * @param refreshInterval       how often the posterior snapshot is rebuilt from the shared figures
   * @param topTwo                top-two Thompson sampling
   * @param priorAlpha            Beta prior alpha (binary metrics)
   * @param priorBeta             Beta prior beta (binary metrics)
   */
  public record Bandit(double minExplorationPercent, long warmup, Duration refreshInterval, boolean topTwo,
      double priorAlpha, double priorBeta) {}
}
