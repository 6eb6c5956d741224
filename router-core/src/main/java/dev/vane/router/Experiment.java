package dev.vane.router;

import java.util.List;
import java.util.Objects;

/**
 * An immutable experiment as the router sees it. Arms are in bucket-layout order: A/B/n variants first (in
 * configuration order), then the champion, then the canary last, so that ramping the canary only moves units
 * between champion and canary.
 *
 * @param id                 experiment id
 * @param salt               hashing seed; changing it re-randomises every unit on purpose
 * @param version            configuration version of this experiment (changes whenever its definition does)
 * @param arms               servable arms in layout order; their weights sum to 10,000 bps
 * @param shadows            mirror targets
 * @param coverageBps        share of units that enter the experiment at all (10,000 = everybody)
 * @param sticky             whether assignments are stored and win over the hash
 * @param overrideAllowed    whether the QA override header may force an arm
 * @param fallbackToControl  whether a failing non-control arm is retried on the control arm
 * @param targeting          entry conditions
 * @param policy             arm choice for units without a stored assignment
 * @param paused             kill switch: every request is served by the control arm and is not an exposure;
 *                           stored sticky assignments are kept untouched, so resuming restores them
 */
public record Experiment(
    String id,
    String salt,
    String version,
    List<Arm> arms,
    List<Shadow> shadows,
    int coverageBps,
    boolean sticky,
    boolean overrideAllowed,
    boolean fallbackToControl,
    Targeting targeting,
    Policy policy,
    boolean paused) {

  public Experiment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(salt, "salt");
    Objects.requireNonNull(version, "version");
    arms = List.copyOf(arms);
    shadows = List.copyOf(shadows);
    Objects.requireNonNull(targeting, "targeting");
    Objects.requireNonNull(policy, "policy");
    if (arms.isEmpty()) {
      throw new IllegalArgumentException("arms: [] (expected: at least one arm)");
    }
    int total = 0;
    for (int i = 0; i < arms.size(); i++) {
      if (arms.get(i).index() != i) {
        throw new IllegalArgumentException("arms[" + i + "].index: " + arms.get(i).index() + " (expected: " + i + ")");
      }
      total += arms.get(i).weightBps();
    }
    if (total != 10_000) {
      throw new IllegalArgumentException("arms weights: " + total + " bps (expected: 10000)");
    }
    if (coverageBps < 0 || coverageBps > 10_000) {
      throw new IllegalArgumentException("coverageBps: " + coverageBps + " (expected: 0..10000)");
    }
  }

  /**
   * The control arm: the champion when there is one, otherwise the first variant. It serves requests outside the
   * experiment (targeting miss, outside coverage) and is the baseline of comparisons.
   */
  public Arm control() {
    for (Arm a : arms) {
      if (a.role() == Role.CHAMPION) {
        return a;
      }
    }
    return arms.get(0);
  }

  /** The arm with this id, or null. */
  public Arm arm(String armId) {
    for (Arm a : arms) {
      if (a.id().equals(armId)) {
        return a;
      }
    }
    return null;
  }

  /** Weights as fractions of 1, in layout order, for GrowthBook's bucket ranges. */
  public double[] weights() {
    double[] w = new double[arms.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = arms.get(i).weightBps() / 10_000.0;
    }
    return w;
  }
}
