package dev.vane.router;

import java.util.ArrayList;
import java.util.List;

/** Experiments for tests. */
final class Fixtures {
  private Fixtures() {}

  /** Champion + canary at {@code canaryBps}. */
  static Experiment canary(String salt, int canaryBps, boolean sticky) {
    return new Experiment("exp", salt, "v1",
        List.of(new Arm("champion", Role.CHAMPION, "e1", 10_000 - canaryBps, 0),
            new Arm("canary", Role.CANARY, "e2", canaryBps, 1)),
        List.of(), 10_000, sticky, true, false, Targeting.NONE, Policy.HASH, false);
  }

  /** A/B/n with the given arm ids and weights (bps). */
  static Experiment abn(String salt, boolean sticky, Object... idsAndWeights) {
    List<Arm> arms = new ArrayList<>();
    for (int i = 0; i < idsAndWeights.length; i += 2) {
      arms.add(new Arm((String) idsAndWeights[i], Role.VARIANT, "e" + i, (Integer) idsAndWeights[i + 1], i / 2));
    }
    return new Experiment("exp", salt, "v1", arms, List.of(), 10_000, sticky, true, false, Targeting.NONE,
        Policy.HASH, false);
  }

  static Experiment withTargeting(Experiment e, Targeting t) {
    return new Experiment(e.id(), e.salt(), e.version(), e.arms(), e.shadows(), e.coverageBps(), e.sticky(),
        e.overrideAllowed(), e.fallbackToControl(), t, e.policy(), e.paused());
  }

  static Experiment withCoverage(Experiment e, int bps) {
    return new Experiment(e.id(), e.salt(), e.version(), e.arms(), e.shadows(), bps, e.sticky(),
        e.overrideAllowed(), e.fallbackToControl(), e.targeting(), e.policy(), e.paused());
  }

  static Experiment withPaused(Experiment e, boolean paused) {
    return new Experiment(e.id(), e.salt(), e.version(), e.arms(), e.shadows(), e.coverageBps(), e.sticky(),
        e.overrideAllowed(), e.fallbackToControl(), e.targeting(), e.policy(), paused);
  }
}
