package dev.vane.stats.rollout;

import java.time.Instant;

/**
 * Where a rollout is: what the gateway persists between analyses. Immutable.
 *
 * @param phase the stage
 * @param step index into {@link RolloutPlan#steps()} of the current step (STEPPING), the last one once PROMOTED
 * @param stepStartedAt when the current step (or the shadow stage) started
 * @param completedChampion the champion's totals over the completed steps
 * @param completedCanary the canary's totals over the completed steps
 * @param looks analyses so far
 * @param paused an operator paused the rollout: analyses hold
 */
public record RolloutState(Phase phase, int step, Instant stepStartedAt, ArmTotals completedChampion,
                           ArmTotals completedCanary, long looks, boolean paused) {
    /** Stage of a rollout. */
    public enum Phase {
        /** Mirrored traffic only. */
        SHADOW,
        /** Real traffic at {@code step}'s percent. */
        STEPPING,
        /** The canary took all traffic (final). */
        PROMOTED,
        /** A guardrail, the sample-ratio check, the shadow bar or {@code onInconclusive} stopped it (final). */
        ROLLED_BACK,
        /** An operator stopped it (final until {@code retry}). */
        ABORTED;

        /** True for PROMOTED, ROLLED_BACK and ABORTED. */
        public boolean finished() {
            return this == PROMOTED || this == ROLLED_BACK || this == ABORTED;
        }
    }

    public RolloutState {
        if (phase == null || stepStartedAt == null || completedChampion == null || completedCanary == null) {
            throw new IllegalArgumentException("phase, stepStartedAt, completed*: null (expected: non-null)");
        }
    }

    /** The first state: SHADOW when the plan has a shadow stage, else the first step. */
    public static RolloutState start(RolloutPlan plan, Instant now) {
        return new RolloutState(plan.shadowFirst() != null ? Phase.SHADOW : Phase.STEPPING, 0, now, ArmTotals.EMPTY,
                ArmTotals.EMPTY, 0, false);
    }

    RolloutState with(Phase newPhase, int newStep, Instant startedAt, ArmTotals champion, ArmTotals canary) {
        return new RolloutState(newPhase, newStep, startedAt, champion, canary, looks, paused);
    }

    RolloutState withLooks(long value) {
        return new RolloutState(phase, step, stepStartedAt, completedChampion, completedCanary, value, paused);
    }

    RolloutState withPaused(boolean value) {
        return new RolloutState(phase, step, stepStartedAt, completedChampion, completedCanary, looks, value);
    }
}
