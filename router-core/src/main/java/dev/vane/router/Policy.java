package dev.vane.router;

/** How an experiment picks an arm for a unit without a stored assignment. */
public enum Policy {
  /** GrowthBook-compatible hash of the unit id over the weighted bucket layout. */
  HASH,
  /** Thompson sampling over the posterior of the primary metric (plugged in by the bandit strategy). */
  THOMPSON
}
