package dev.vane.stats.rollout;

import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.GuardrailOptions;
import dev.vane.stats.GuardrailResult;
import dev.vane.stats.Guardrails;
import dev.vane.stats.SampleRatio;
import dev.vane.stats.SrmResult;
import dev.vane.stats.rollout.Analysis.Action;
import dev.vane.stats.rollout.RolloutState.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides a rollout's next move from its state and figures. Pure and deterministic: the time is passed in, nothing
 * is stored, so the same inputs always give the same {@link Analysis}. Thread-safe.
 *
 * <p>Rules, in order, at each analysis of a STEPPING rollout: paused: HOLD. Any guardrail HARM (its lower
 * one-sided bound above its margin) or a sample-ratio mismatch: ROLLBACK at once. Step minimums met (canary
 * exposures in this step, time since the step started) and, with {@code requireNonInferiority}, every guardrail
 * NON_INFERIOR: ADVANCE, or PROMOTE when the next step is the last (100 %). Otherwise, once the step has run
 * {@code maxStepDuration}: {@code onInconclusive}. Otherwise HOLD.
 *
 * <p>Guardrails are judged over the completed steps' totals plus the current step's figures (all the canary's
 * exposures so far), each at {@link RolloutPlan#guardrailAlpha()}; the SRM check uses only the current step's
 * exposures against its split {@code (100 - percent) : percent}, at {@link RolloutPlan#SRM_ALPHA}.
 */
public final class RolloutController {
    private final RolloutPlan plan;
    private final List<GuardrailOptions> options;

    public RolloutController(RolloutPlan plan) {
        if (plan == null) {
            throw new IllegalArgumentException("plan: null (expected: non-null)");
        }
        this.plan = plan;
        List<GuardrailOptions> o = new ArrayList<>();
        for (RolloutPlan.Guardrail g : plan.guardrails()) {
            boolean higher = g.kind() == RolloutPlan.Guardrail.Kind.BINARY
                    || g.kind() == RolloutPlan.Guardrail.Kind.CONTINUOUS ? g.higherIsBetter() : false;
            o.add(GuardrailOptions.of(g.margin(), higher, plan.guardrailAlpha()));
        }
        this.options = List.copyOf(o);
    }

    public RolloutPlan plan() {
        return plan;
    }

    /**
     * One analysis.
     *
     * @param champion the champion's figures in the current step
     * @param canary the canary's figures in the current step
     * @param shadow the shadow stage's figures (read in the SHADOW phase only; may be null otherwise)
     */
    public Analysis analyze(RolloutState state, ArmFigures champion, ArmFigures canary, ShadowFigures shadow,
                            Instant now) {
        return decide(state, champion, canary, shadow, now, false);
    }

    /**
     * An operator skips a hold: in the shadow stage, start the canary; while stepping, advance (or promote) now
     * whatever the step minimums and non-inferiority say, unless a guardrail shows harm or the sample ratio is off
     * (then ROLLBACK, as {@link #analyze} would). A paused or finished rollout is not moved.
     */
    public Analysis approve(RolloutState state, ArmFigures champion, ArmFigures canary, Instant now) {
        return decide(state, champion, canary, null, now, true);
    }

    /** An operator stops the rollout: ABORTED, all traffic back to the champion. */
    public RolloutState abort(RolloutState state, Instant now) {
        if (state.phase().finished()) {
            return state;
        }
        return state.with(Phase.ABORTED, state.step(), now, state.completedChampion(), state.completedCanary());
    }

    /** Restarts an ABORTED or ROLLED_BACK rollout from the beginning, with fresh figures; others are unchanged. */
    public RolloutState retry(RolloutState state, Instant now) {
        if (state.phase() != Phase.ABORTED && state.phase() != Phase.ROLLED_BACK) {
            return state;
        }
        return RolloutState.start(plan, now).withLooks(state.looks());
    }

    /** Analyses hold until {@link #resume}; the step's clock keeps running. */
    public RolloutState pause(RolloutState state, Instant now) {
        return state.withPaused(true);
    }

    public RolloutState resume(RolloutState state, Instant now) {
        return state.withPaused(false);
    }

    private Analysis decide(RolloutState state, ArmFigures champion, ArmFigures canary, ShadowFigures shadow,
                            Instant now, boolean approved) {
        if (state.phase().finished()) {
            return new Analysis(Action.HOLD, "rollout finished: " + state.phase(), List.of(), null, state);
        }
        RolloutState s = state.withLooks(state.looks() + 1);
        if (state.phase() == Phase.SHADOW) {
            return shadow(s, shadow, now, approved);
        }
        RolloutPlan.Step step = plan.steps().get(s.step());
        ArmFigures championNow = champion == null ? ArmFigures.EMPTY : champion;
        ArmFigures canaryNow = canary == null ? ArmFigures.EMPTY : canary;
        ArmTotals currentChampion = championNow.totals();
        ArmTotals currentCanary = canaryNow.totals();
        ArmTotals totalChampion = s.completedChampion().merge(currentChampion);
        ArmTotals totalCanary = s.completedCanary().merge(currentCanary);

        List<GuardrailVerdict> verdicts = new ArrayList<>(plan.guardrails().size());
        GuardrailVerdict harm = null;
        boolean allNonInferior = true;
        for (int i = 0; i < plan.guardrails().size(); i++) {
            RolloutPlan.Guardrail g = plan.guardrails().get(i);
            GuardrailVerdict v = new GuardrailVerdict(g, judge(g, options.get(i), totalChampion, totalCanary));
            verdicts.add(v);
            if (v.result().verdict() == GuardrailResult.Verdict.HARM && harm == null) {
                harm = v;
            }
            allNonInferior &= v.result().verdict() == GuardrailResult.Verdict.NON_INFERIOR;
        }
        SrmResult srm = plan.srm() ? SampleRatio.srm(new long[] {championNow.assigned(), canaryNow.assigned()},
                new double[] {100 - step.percent(), step.percent()}, RolloutPlan.SRM_ALPHA) : null;

        String where = String.format(Locale.ROOT, "step %d (%d%%)", s.step() + 1, step.percent());
        if (s.paused()) {
            return new Analysis(Action.HOLD, "paused", verdicts, srm, s);
        }
        if (harm != null) {
            return rollback(s, now, where + ": " + harm.guardrail().metric() + " worse than champion beyond margin",
                    verdicts, srm);
        }
        if (srm != null && srm.mismatch()) {
            return rollback(s, now, String.format(Locale.ROOT, "%s: sample ratio mismatch (p=%.3g < %s, %d:%d)",
                    where, srm.pValue(), RolloutPlan.SRM_ALPHA, championNow.assigned(), canaryNow.assigned()),
                    verdicts, srm);
        }
        Duration elapsed = Duration.between(s.stepStartedAt(), now);
        boolean exposuresMet = canaryNow.exposures() >= step.minExposures();
        boolean durationMet = elapsed.compareTo(step.minDuration()) >= 0;
        boolean niMet = !plan.requireNonInferiority() || allNonInferior;
        if (approved || (exposuresMet && durationMet && niMet)) {
            int nextStep = s.step() + 1;
            ArmTotals doneChampion = totalChampion;
            ArmTotals doneCanary = totalCanary;
            String why = approved ? "approved by operator" : "step minimums met, no guardrail shows harm";
            if (nextStep == plan.steps().size() - 1) {
                return new Analysis(Action.PROMOTE, where + ": " + why + "; promoting", verdicts, srm,
                        s.with(Phase.PROMOTED, nextStep, now, doneChampion, doneCanary));
            }
            return new Analysis(Action.ADVANCE, where + ": " + why + "; advancing to "
                    + plan.steps().get(nextStep).percent() + "%", verdicts, srm,
                    s.with(Phase.STEPPING, nextStep, now, doneChampion, doneCanary));
        }
        List<String> waiting = new ArrayList<>();
        if (!exposuresMet) {
            waiting.add("canary exposures " + canaryNow.exposures() + " of " + step.minExposures());
        }
        if (!durationMet) {
            waiting.add("duration " + elapsed.toSeconds() + "s of " + step.minDuration().toSeconds() + "s");
        }
        if (!niMet) {
            waiting.add("non-inferiority not yet shown");
        }
        if (elapsed.compareTo(plan.maxStepDuration()) >= 0) {
            String why = where + ": no decision after maxStepDuration " + plan.maxStepDuration().toSeconds() + "s ("
                    + String.join(", ", waiting) + ")";
            if (plan.onInconclusive() == RolloutPlan.OnInconclusive.ROLLBACK) {
                return rollback(s, now, why, verdicts, srm);
            }
            return new Analysis(Action.HOLD, why + "; holding", verdicts, srm, s);
        }
        return new Analysis(Action.HOLD, where + ": waiting for " + String.join(", ", waiting), verdicts, srm, s);
    }

    private Analysis shadow(RolloutState s, ShadowFigures shadow, Instant now, boolean approved) {
        RolloutPlan.ShadowGate gate = plan.shadowFirst();
        RolloutState started = s.with(Phase.STEPPING, 0, now, ArmTotals.EMPTY, ArmTotals.EMPTY);
        if (s.paused()) {
            return new Analysis(Action.HOLD, "paused", List.of(), null, s);
        }
        if (approved) {
            return new Analysis(Action.START_CANARY, "shadow: approved by operator", List.of(), null, started);
        }
        if (shadow == null || shadow.compared() < gate.minCompared()) {
            return new Analysis(Action.HOLD, "shadow: " + (shadow == null ? 0 : shadow.compared()) + " of "
                    + gate.minCompared() + " comparisons", List.of(), null, s);
        }
        String figures = String.format(Locale.ROOT, "agreement %.4f (min %s), latency ratio %.3f (max %s) over %d",
                shadow.agreement(), gate.minAgreement(), shadow.latencyRatio(), gate.maxLatencyRatio(),
                shadow.compared());
        if (shadow.agreement() >= gate.minAgreement() && shadow.latencyRatio() <= gate.maxLatencyRatio()) {
            return new Analysis(Action.START_CANARY, "shadow passed: " + figures, List.of(), null, started);
        }
        return rollback(s, now, "shadow failed: " + figures, List.of(), null);
    }

    private Analysis rollback(RolloutState s, Instant now, String why, List<GuardrailVerdict> verdicts,
                              SrmResult srm) {
        return new Analysis(Action.ROLLBACK, why, verdicts, srm,
                s.with(Phase.ROLLED_BACK, s.step(), now, s.completedChampion(), s.completedCanary()));
    }

    private static GuardrailResult judge(RolloutPlan.Guardrail g, GuardrailOptions o, ArmTotals champion,
                                         ArmTotals canary) {
        return switch (g.kind()) {
            case ERROR_RATE -> Guardrails.binary(champion.errors(), canary.errors(), o);
            case LATENCY -> Guardrails.logLatency(champion.logLatency(), canary.logLatency(), o);
            case BINARY -> Guardrails.binary(champion.binary().getOrDefault(g.metric(), BinaryStats.EMPTY),
                    canary.binary().getOrDefault(g.metric(), BinaryStats.EMPTY), o);
            case CONTINUOUS -> Guardrails.continuous(
                    champion.continuous().getOrDefault(g.metric(), ContinuousStats.EMPTY),
                    canary.continuous().getOrDefault(g.metric(), ContinuousStats.EMPTY), o);
        };
    }
}
