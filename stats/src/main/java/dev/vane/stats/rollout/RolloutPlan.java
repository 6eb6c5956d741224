package dev.vane.stats.rollout;

import dev.vane.stats.Guardrails;
import dev.vane.stats.SampleRatio;
import java.time.Duration;
import java.util.List;

/**
 * A progressive rollout of a canary against the champion: traffic steps, guardrails and the rules between them.
 *
 * @param steps canary traffic steps in order; percents strictly increasing in 1..100, the last one 100. Reaching
 *     the last step promotes the canary (at 100 % there is no champion left to compare with)
 * @param guardrails metrics judged canary against champion over the canary's exposures of all steps so far
 * @param srm roll back on a sample-ratio mismatch of the current step's exposures (chi-square p &lt;
 *     {@link #SRM_ALPHA}, checked at every analysis and outside the alpha below)
 * @param alpha false-rollback rate of the whole rollout under continuous monitoring, split evenly across the
 *     guardrails (Bonferroni: {@link #guardrailAlpha()} = alpha / guardrails), 0 &lt; alpha &lt; 0.5
 * @param maxStepDuration after this long in one step without an advance, {@code onInconclusive} applies
 * @param onInconclusive what to do once a step has run {@code maxStepDuration}
 * @param requireNonInferiority advance only when every guardrail is NON_INFERIOR (its upper bound below the margin)
 * @param shadowFirst a mirrored-traffic stage before any real traffic, or null for none
 */
public record RolloutPlan(List<Step> steps, List<Guardrail> guardrails, boolean srm, double alpha,
                          Duration maxStepDuration, OnInconclusive onInconclusive, boolean requireNonInferiority,
                          ShadowGate shadowFirst) {
    /** Alarm level of the sample-ratio check, as GrowthBook uses: p &lt; 0.001 at each analysis. */
    public static final double SRM_ALPHA = SampleRatio.DEFAULT_THRESHOLD;

    public RolloutPlan {
        steps = List.copyOf(req("steps", steps));
        guardrails = List.copyOf(req("guardrails", guardrails));
        req("maxStepDuration", maxStepDuration);
        req("onInconclusive", onInconclusive);
        if (steps.size() < 2) {
            throw new IllegalArgumentException("steps: " + steps.size() + " (expected: >= 2, the last at 100 %)");
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).percent() <= steps.get(i - 1).percent()) {
                throw new IllegalArgumentException("steps[" + i + "].percent: " + steps.get(i).percent()
                        + " (expected: > steps[" + (i - 1) + "].percent " + steps.get(i - 1).percent() + ")");
            }
        }
        if (steps.get(steps.size() - 1).percent() != 100) {
            throw new IllegalArgumentException("steps[" + (steps.size() - 1) + "].percent: "
                    + steps.get(steps.size() - 1).percent() + " (expected: 100)");
        }
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("alpha: " + alpha + " (expected: > 0 and < 0.5)");
        }
        if (maxStepDuration.isNegative() || maxStepDuration.isZero()) {
            throw new IllegalArgumentException("maxStepDuration: " + maxStepDuration + " (expected: > 0)");
        }
    }

    /** Each guardrail's one-sided level: alpha / guardrails (alpha when there are none). */
    public double guardrailAlpha() {
        return guardrails.isEmpty() ? alpha : Guardrails.perGuardrailAlpha(alpha, guardrails.size());
    }

    /**
     * One traffic step.
     *
     * @param percent canary share of the experiment's traffic, 1..100
     * @param minExposures canary exposures in this step before it may advance, {@code >= 0}
     * @param minDuration time in this step before it may advance
     */
    public record Step(int percent, long minExposures, Duration minDuration) {
        public Step {
            if (percent < 1 || percent > 100) {
                throw new IllegalArgumentException("percent: " + percent + " (expected: >= 1 and <= 100)");
            }
            if (minExposures < 0) {
                throw new IllegalArgumentException("minExposures: " + minExposures + " (expected: >= 0)");
            }
            req("minDuration", minDuration);
            if (minDuration.isNegative()) {
                throw new IllegalArgumentException("minDuration: " + minDuration + " (expected: >= 0)");
            }
        }
    }

    /**
     * A guardrail: "the canary is worse than the champion by more than {@code margin}".
     *
     * @param metric name: a key of {@link ArmFigures#binary()} or {@link ArmFigures#continuous()} for BINARY and
     *     CONTINUOUS; a label for ERROR_RATE and LATENCY
     * @param kind which figures it reads
     * @param higherIsBetter direction of BINARY and CONTINUOUS metrics (error rate and latency: lower is better,
     *     whatever this says)
     * @param margin tolerated relative harm, {@code >= 0} (latency: ratio of geometric means - 1)
     */
    public record Guardrail(String metric, Kind kind, boolean higherIsBetter, double margin) {
        /** Which figures a guardrail reads. */
        public enum Kind {
            /** errors / requests. */
            ERROR_RATE,
            /** the latency histogram, on the log scale. */
            LATENCY,
            /** a declared binary metric per exposure. */
            BINARY,
            /** a declared continuous metric per exposure. */
            CONTINUOUS
        }

        public Guardrail {
            req("metric", metric);
            req("kind", kind);
            if (!(margin >= 0) || Double.isInfinite(margin)) {
                throw new IllegalArgumentException("margin: " + margin + " (expected: finite and >= 0)");
            }
        }

        public static Guardrail errorRate(double margin) {
            return new Guardrail("errorRate", Kind.ERROR_RATE, false, margin);
        }

        public static Guardrail latency(double margin) {
            return new Guardrail("latency", Kind.LATENCY, false, margin);
        }
    }

    /**
     * The shadow stage's bar.
     *
     * @param minCompared mirrored requests compared before deciding, {@code >= 1}
     * @param minAgreement smallest acceptable share of comparisons where canary and champion agreed, 0..1
     * @param maxLatencyRatio largest acceptable canary / champion latency ratio, {@code > 0}
     */
    public record ShadowGate(long minCompared, double minAgreement, double maxLatencyRatio) {
        public ShadowGate {
            if (minCompared < 1) {
                throw new IllegalArgumentException("minCompared: " + minCompared + " (expected: >= 1)");
            }
            if (!(minAgreement >= 0 && minAgreement <= 1)) {
                throw new IllegalArgumentException("minAgreement: " + minAgreement + " (expected: >= 0 and <= 1)");
            }
            if (!(maxLatencyRatio > 0)) {
                throw new IllegalArgumentException("maxLatencyRatio: " + maxLatencyRatio + " (expected: > 0)");
            }
        }
    }

    /** What happens when a step reaches {@code maxStepDuration} without advancing. */
    public enum OnInconclusive { HOLD, ROLLBACK }

    private static <T> T req(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": null (expected: non-null)");
        }
        return value;
    }
}
