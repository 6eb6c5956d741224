package dev.vane.router;

import java.util.random.RandomGenerator;

/**
 * Picks an arm for a unit that has no valid stored assignment. Implementations read only their arguments and an
 * immutable snapshot they hold (a bandit's posterior, refreshed in the background), so they are safe to call from
 * any thread and never wait on I/O.
 */
public interface AssignmentStrategy {

  /**
   * @param experiment the experiment snapshot
   * @param unit       the unit id, or null when the request carries none (then {@code random} decides)
   * @param random     the caller's random source (per thread)
   * @return the chosen arm, or null when the unit falls outside the experiment's coverage
   */
  Arm choose(Experiment experiment, String unit, RandomGenerator random);

  /** GrowthBook-compatible hash split over the weighted bucket layout (hash version 2). */
  static AssignmentStrategy hashSplit() {
    return HashSplitStrategy.INSTANCE;
  }
}
