package dev.vane.router;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Hash split: {@code n = hashV2(salt, unit)} (or a uniform draw on the same 10,000-bucket grid when there is no
 * unit), then the arm whose GrowthBook bucket range {@code [c_i, c_i + coverage * w_i)} holds {@code n}. The ranges
 * are walked inline with exactly the double arithmetic of {@link GrowthBookHash#bucketRanges}, so the result equals
 * {@code chooseVariation(n, bucketRanges(...))} without allocating the range list.
 */
final class HashSplitStrategy implements AssignmentStrategy {
  static final HashSplitStrategy INSTANCE = new HashSplitStrategy();

  private HashSplitStrategy() {}

  /** The FNV state after each experiment's salt, so each unit hashes only itself. */
  private final PairCache<Integer> seeds = new PairCache<>(64, (id, salt) -> GrowthBookHash.fnv1a32State(salt));

  @Override
  public Arm choose(Experiment experiment, String unit, RandomGenerator random) {
    int bucket = unit != null
        ? GrowthBookHash.bucketV2(seeds.get(experiment.id(), experiment.salt()), unit)
        : random.nextInt(10_000);
    return pick(experiment, bucket / 10_000.0);
  }

  static Arm pick(Experiment experiment, double n) {
    List<Arm> arms = experiment.arms();
    double coverage = experiment.coverageBps() / 10_000.0;
    double cumulative = 0;
    for (int i = 0, size = arms.size(); i < size; i++) {
      Arm a = arms.get(i);
      double w = a.weightBps() / 10_000.0;
      double start = cumulative;
      cumulative += w;
      if (n >= start && n < start + coverage * w) {
        return a;
      }
    }
    return null;
  }
}
