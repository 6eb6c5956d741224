package dev.vane.stats.rollout;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import static org.junit.jupiter.api.Assertions.assertFalse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.stats.BinaryStats;
import dev.vane.stats.GuardrailResult.Verdict;
import dev.vane.stats.LatencyStats;
import dev.vane.stats.rollout.Analysis.Action;
import dev.vane.stats.rollout.RolloutPlan.Guardrail;
import dev.vane.stats.rollout.RolloutPlan.OnInconclusive;
import dev.vane.stats.rollout.RolloutPlan.ShadowGate;
import dev.vane.stats.rollout.RolloutPlan.Step;
import dev.vane.stats.rollout.RolloutState.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutControllerTest {
    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    private static final List<Step> STEPS = List.of(new Step(10, 1000, Duration.ofMinutes(10)),
            new Step(50, 0, Duration.ofMinutes(10)), new Step(100, 0, Duration.ZERO));

    private static RolloutPlan plan(boolean ni, OnInconclusive on, ShadowGate shadow) {
        return new RolloutPlan(STEPS, List.of(Guardrail.errorRate(0.2)), true, 0.05, Duration.ofHours(1), on, ni,
                shadow);
    }

    private static ArmFigures arm(long exposures, long errors) {
        return new ArmFigures(exposures, exposures, errors, LatencyStats.empty(), Map.of(), Map.of());
    }

    private static Instant at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    @Test
    void harmRollsBackAtOnceEvenBeforeTheStepMinimums() {
        RolloutController c = new RolloutController(plan(false, OnInconclusive.HOLD, null));
        Analysis a = c.analyze(RolloutState.start(c.plan(), T0), arm(90000, 900), arm(10000, 300), null, at(1));
        assertEquals(Action.ROLLBACK, a.action());
        assertEquals(Phase.ROLLED_BACK, a.next().phase());
        assertEquals(Verdict.HARM, a.guardrails().get(0).result().verdict());
        assertTrue(a.reason().startsWith("step 1 (10%): errorRate worse than champion beyond margin"), a.reason());
        assertTrue(a.describe().contains("errorRate HARM: harm"), a.describe());
    }

    @Test
    void sampleRatioMismatchRollsBack() {
        RolloutController c = new RolloutController(plan(false, OnInconclusive.HOLD, null));
        Analysis a = c.analyze(RolloutState.start(c.plan(), T0), arm(9000, 90), arm(1300, 13), null, at(1));
        assertEquals(Action.ROLLBACK, a.action());
        assertTrue(a.srm().mismatch());
        assertTrue(a.reason().contains("sample ratio mismatch"), a.reason());
    }

    @Test
    void theSampleRatioCheckCountsAssignmentsNotTheRequestsOfReturningUnits() {
        RolloutController c = new RolloutController(plan(false, OnInconclusive.HOLD, null));
        // 9,000 : 1,000 units assigned, as planned; the canary's units came back more often (13,000 requests)
        ArmFigures champion = new ArmFigures(9000, 9000, 9000, 90, LatencyStats.empty(), Map.of(), Map.of());
        ArmFigures canary = new ArmFigures(13000, 1000, 13000, 130, LatencyStats.empty(), Map.of(), Map.of());
        Analysis a = c.analyze(RolloutState.start(c.plan(), T0), champion, canary, null, at(1));
        assertFalse(a.srm().mismatch(), a.describe());
        assertNotEquals(Action.ROLLBACK, a.action(), a.reason());
        // and the same figures with a skewed assignment are a mismatch
        ArmFigures skewed = new ArmFigures(13000, 1300, 13000, 130, LatencyStats.empty(), Map.of(), Map.of());
        assertTrue(c.analyze(RolloutState.start(c.plan(), T0), champion, skewed, null, at(1)).srm().mismatch());
    }

    @Test
    void holdsUntilBothMinimumsAreMetThenAdvancesAndCarriesTheFigures() {
        RolloutController c = new RolloutController(plan(false, OnInconclusive.HOLD, null));
        RolloutState s = RolloutState.start(c.plan(), T0);
        Analysis early = c.analyze(s, arm(9000, 90), arm(1000, 10), null, at(5));
        assertEquals(Action.HOLD, early.action());
        assertEquals("step 1 (10%): waiting for duration 300s of 600s", early.reason());
        Analysis few = c.analyze(s, arm(8100, 81), arm(900, 9), null, at(11));
        assertEquals("step 1 (10%): waiting for canary exposures 900 of 1000", few.reason());
        Analysis go = c.analyze(early.next(), arm(9000, 90), arm(1000, 10), null, at(10));
        assertEquals(Action.ADVANCE, go.action());
        assertEquals(1, go.next().step());
        assertEquals(at(10), go.next().stepStartedAt());
        assertEquals(1000, go.next().completedCanary().exposures());
        assertEquals(BinaryStats.of(9000, 90), go.next().completedChampion().errors());
        assertEquals(2, go.next().looks());
    }

    @Test
    void reachingTheLastStepPromotes() {
        RolloutController c = new RolloutController(plan(false, OnInconclusive.HOLD, null));
        RolloutState s = new RolloutState(Phase.STEPPING, 1, T0, ArmTotals.EMPTY, ArmTotals.EMPTY, 3, false);
        Analysis a = c.analyze(s, arm(5000, 50), arm(5000, 50), null, at(10));
        assertEquals(Action.PROMOTE, a.action());
        assertEquals(Phase.PROMOTED, a.next().phase());
        assertEquals(2, a.next().step());
        Analysis after = c.analyze(a.next(), arm(5000, 50), arm(5000, 50), null, at(11));
        assertEquals(Action.HOLD, after.action());
        assertEquals("rollout finished: PROMOTED", after.reason());
    }

    @Test
    void requireNonInferiorityHoldsAnInconclusiveStepThenOnInconclusiveApplies() {
        RolloutController hold = new RolloutController(plan(true, OnInconclusive.HOLD, null));
        RolloutController back = new RolloutController(plan(true, OnInconclusive.ROLLBACK, null));
        RolloutState s = RolloutState.start(hold.plan(), T0);
        Analysis a = hold.analyze(s, arm(9000, 90), arm(1000, 10), null, at(20));
        assertEquals(Action.HOLD, a.action());
        assertEquals(Verdict.INCONCLUSIVE, a.guardrails().get(0).result().verdict());
        assertEquals("step 1 (10%): waiting for non-inferiority not yet shown", a.reason());
        assertEquals(Action.HOLD, hold.analyze(s, arm(9000, 90), arm(1000, 10), null, at(60)).action());
        Analysis late = back.analyze(s, arm(9000, 90), arm(1000, 10), null, at(60));
        assertEquals(Action.ROLLBACK, late.action());
        assertTrue(late.reason().contains("no decision after maxStepDuration 3600s"), late.reason());
        Analysis proven = hold.analyze(s, arm(900000, 9000), arm(100000, 1000), null, at(20));
        assertEquals(Action.ADVANCE, proven.action());
    }

    @Test
    void shadowStageStartsTheCanaryOnlyWhenTheBarIsMet() {
        RolloutController c = new RolloutController(plan(false, OnInconclusive.HOLD, new ShadowGate(5000, 0.99, 1.5)));
        RolloutState s = RolloutState.start(c.plan(), T0);
        assertEquals(Phase.SHADOW, s.phase());
        Analysis wait = c.analyze(s, null, null, new ShadowFigures(4000, 1.0, 1.0), at(1));
        assertEquals(Action.HOLD, wait.action());
        assertEquals("shadow: 4000 of 5000 comparisons", wait.reason());
        Analysis pass = c.analyze(s, null, null, new ShadowFigures(5000, 0.995, 1.2), at(2));
        assertEquals(Action.START_CANARY, pass.action());
        assertEquals(Phase.STEPPING, pass.next().phase());
        assertEquals(at(2), pass.next().stepStartedAt());
        Analysis fail = c.analyze(s, null, null, new ShadowFigures(5000, 0.995, 1.7), at(2));
        assertEquals(Action.ROLLBACK, fail.action());
        assertEquals("shadow failed: agreement 0.9950 (min 0.99), latency ratio 1.700 (max 1.5) over 5000",
                fail.reason());
        assertNull(fail.srm());
    }

    @Test
    void operatorsPauseApproveAbortAndRetry() {
        RolloutController c = new RolloutController(plan(false, OnInconclusive.HOLD, null));
        RolloutState s = RolloutState.start(c.plan(), T0);
        RolloutState paused = c.pause(s, at(1));
        Analysis a = c.analyze(paused, arm(9000, 90), arm(1000, 10), null, at(30));
        assertEquals(Action.HOLD, a.action());
        assertEquals("paused", a.reason());
        assertEquals(Action.ADVANCE, c.analyze(c.resume(paused, at(2)), arm(9000, 90), arm(1000, 10), null, at(30))
                .action());
        Analysis approved = c.approve(s, arm(900, 9), arm(100, 1), at(1));
        assertEquals(Action.ADVANCE, approved.action());
        assertTrue(approved.reason().contains("approved by operator"));
        assertEquals(Action.ROLLBACK, c.approve(s, arm(90000, 900), arm(10000, 300), at(1)).action());
        RolloutState aborted = c.abort(s, at(3));
        assertEquals(Phase.ABORTED, aborted.phase());
        RolloutState again = c.retry(aborted, at(4));
        assertEquals(Phase.STEPPING, again.phase());
        assertEquals(0, again.step());
        assertEquals(at(4), again.stepStartedAt());
    }

    @Test
    void alphaIsSplitAcrossGuardrails() {
        RolloutPlan p = new RolloutPlan(STEPS, List.of(Guardrail.errorRate(0.2), Guardrail.latency(0.1)), true,
                0.05, Duration.ofHours(1), OnInconclusive.HOLD, false, null);
        Analysis a = new RolloutController(p).analyze(RolloutState.start(p, T0), arm(9000, 90), arm(1000, 10),
                null, at(1));
        assertEquals(0.025, a.guardrails().get(0).result().alpha());
        assertEquals(Verdict.NOT_ENOUGH_DATA, a.guardrails().get(1).result().verdict());
    }

    @Test
    void badPlansNameTheFieldAndTheRule() {
        assertEquals("steps[1].percent: 90 (expected: 100)", assertThrows(IllegalArgumentException.class,
                () -> new RolloutPlan(List.of(new Step(10, 0, Duration.ZERO), new Step(90, 0, Duration.ZERO)),
                        List.of(), true, 0.05, Duration.ofHours(1), OnInconclusive.HOLD, false, null))
                .getMessage());
        assertEquals("steps[1].percent: 10 (expected: > steps[0].percent 50)", assertThrows(
                IllegalArgumentException.class, () -> new RolloutPlan(List.of(new Step(50, 0, Duration.ZERO),
                        new Step(10, 0, Duration.ZERO), new Step(100, 0, Duration.ZERO)), List.of(), true, 0.05,
                        Duration.ofHours(1), OnInconclusive.HOLD, false, null)).getMessage());
        assertEquals("percent: 0 (expected: >= 1 and <= 100)",
                assertThrows(IllegalArgumentException.class, () -> new Step(0, 0, Duration.ZERO)).getMessage());
    }
}
