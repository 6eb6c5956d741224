package dev.vane.router;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The assignment step: pause → override → targeting → (sticky lookup) → strategy → (sticky claim).
 *
 * <p>Sticky bucketing: a stored arm that still exists wins over the strategy, so units keep their arm across weight
 * changes and added arms. The champion is the exception, because it is the pool the other arms draw from: a unit
 * stored on the champion moves when the layout now puts it on a canary or variant (a canary ramp from 5% to 20%
 * moves champion users onto the canary and never the reverse), and stays otherwise. A stored arm that no longer exists is replaced through a first-write-wins claim that
 * names it as replaceable, so instances racing on the same unit agree. Keys include the salt: a new salt starts
 * from an empty store and the hash re-randomises everyone.
 *
 * <p>A paused experiment (its kill switch) sends every request to the control arm before anything else: no
 * override, no store lookup and no claim, so the stored assignments stay as they were and resuming restores them.
 */
public final class Assigner {
  private final StickyStore store;
  private final Supplier<? extends RandomGenerator> random;
  private final String overrideHeader;
  private final Map<Policy, AssignmentStrategy> strategies;

  public Assigner(StickyStore store, Supplier<? extends RandomGenerator> random, String overrideHeader,
      Map<Policy, AssignmentStrategy> strategies) {
    this.store = Objects.requireNonNull(store, "store");
    this.random = Objects.requireNonNull(random, "random");
    this.overrideHeader = overrideHeader;
    Map<Policy, AssignmentStrategy> m = new HashMap<>(strategies);
    m.putIfAbsent(Policy.HASH, AssignmentStrategy.hashSplit());
    this.strategies = Map.copyOf(m);
  }

  /** Hash split only, thread-local randomness. */
  public Assigner(StickyStore store, String overrideHeader) {
    this(store, java.util.concurrent.ThreadLocalRandom::current, overrideHeader, Map.of());
  }

  public StickyStore store() {
    return store;
  }

  /**
   * Assigns a request to an arm of {@code experiment}; a paused experiment's requests all go to its control arm
   * ({@link Assignment.Reason#PAUSED}) without touching the store.
   *
   * @param unit the request's unit id, or null
   * @throws UnknownArmException when the override header names an arm the experiment lacks
   */
  public CompletionStage<Assignment> assign(Experiment experiment, RequestView request, String unit) {
    if (experiment.paused()) {
      return done(experiment, experiment.control(), Assignment.Reason.PAUSED, unit);
    }
    if (experiment.overrideAllowed() && overrideHeader != null) {
      String forced = request.header(overrideHeader);
      if (forced != null) {
        Arm arm = experiment.arm(forced);
        if (arm == null) {
          throw new UnknownArmException(experiment.id(), forced);
        }
        return done(experiment, arm, Assignment.Reason.OVERRIDE, unit);
      }
    }
    if (!experiment.targeting().matches(request)) {
      return done(experiment, experiment.control(), Assignment.Reason.NOT_TARGETED, unit);
    }
    AssignmentStrategy strategy = strategies.getOrDefault(experiment.policy(), AssignmentStrategy.hashSplit());
    boolean bandit = experiment.policy() != Policy.HASH;
    if (unit == null || (!experiment.sticky())) {
      Arm arm = strategy.choose(experiment, unit, random.get());
      if (arm == null) {
        return done(experiment, experiment.control(), Assignment.Reason.NOT_COVERED, unit);
      }
      Assignment.Reason reason = bandit ? Assignment.Reason.BANDIT
          : unit == null ? Assignment.Reason.RANDOM : Assignment.Reason.HASHED;
      return done(experiment, arm, reason, unit);
    }
    // the champion yields to a grown canary or variant only under hash splits; a bandit keeps every unit it placed
    boolean championYields = experiment.policy() == Policy.HASH;
    // A hash split is pure and cheap, and most stored units are on the champion, which needs it: work it out before
    // the store's lookup, whose memory access then waits alongside it rather than after it. (A bandit's choice
    // draws randomness, so it is made only when needed.)
    Arm hashed = championYields ? strategy.choose(experiment, unit, random.get()) : null;
    StickyStore.Stored found = store.find(experiment.id(), experiment.salt(), unit);
    String stored = found == null ? null : found.arm();
    Arm storedArm = stored == null ? null : experiment.arm(stored);
    if (storedArm != null && (storedArm.role() != Role.CHAMPION || !championYields)) {
      return sticky(experiment, storedArm, unit, found.firstExposureMillis());
    }
    Arm candidate = championYields ? hashed : strategy.choose(experiment, unit, random.get());
    if (candidate == null) {
      return done(experiment, experiment.control(), Assignment.Reason.NOT_COVERED, unit);
    }
    if (storedArm != null && candidate.role() == Role.CHAMPION) {
      // stored on the champion and the layout still says champion
      return sticky(experiment, storedArm, unit, found.firstExposureMillis());
    }
    // the champion is the pool: a unit pinned to it yields to a grown canary or variant (monotone ramp)
    return store.claim(experiment.id(), experiment.salt(), unit, candidate.id(), stored).thenCompose(claim -> {
      Arm won = experiment.arm(claim.arm());
      if (championYields && won != null && won.role() == Role.CHAMPION && candidate.role() != Role.CHAMPION) {
        // the remote store had the unit on the champion (not known locally): the champion yields, as above
        return store.claim(experiment.id(), experiment.salt(), unit, candidate.id(), won.id())
            .thenApply(again -> resolved(experiment, candidate, again, unit, true));
      }
      return CompletableFuture.completedFuture(resolved(experiment, candidate, claim, unit, stored != null));
    });
  }

  /** @param replacing whether the claim named a stored arm as replaceable (a created claim is then a move) */
  private static Assignment resolved(Experiment experiment, Arm candidate, StickyStore.Claim claim, String unit,
      boolean replacing) {
    Arm won = experiment.arm(claim.arm());
    if (won == null) {
      // The store holds an arm this snapshot does not have (removed meanwhile, or written by an instance on a
      // newer config): serve the candidate now; the next request repairs the store.
      return new Assignment(experiment, candidate, Assignment.Reason.ASSIGNED, unit);
    }
    Assignment.Reason reason = !claim.created() ? Assignment.Reason.STICKY
        : replacing ? Assignment.Reason.MOVED : Assignment.Reason.ASSIGNED;
    return new Assignment(experiment, won, reason, unit, claim.firstExposureMillis());
  }

  private static CompletionStage<Assignment> sticky(Experiment e, Arm arm, String unit, long firstExposureMillis) {
    return CompletableFuture.completedFuture(
        new Assignment(e, arm, Assignment.Reason.STICKY, unit, firstExposureMillis));
  }

  private static CompletionStage<Assignment> done(Experiment e, Arm arm, Assignment.Reason reason, String unit) {
    return CompletableFuture.completedFuture(new Assignment(e, arm, reason, unit));
  }
}
