package dev.vane.stats;

import dev.vane.stats.internal.Checks;

/**
 * Settings of one guardrail test ({@link Guardrails}): "the canary is worse than the champion by more than
 * {@code margin}".
 *
 * @param margin tolerated relative harm, {@code >= 0}: 0.2 means "up to 20 % worse is acceptable"; for latency a
 *     ratio of geometric means (0.1 = +10 %)
 * @param higherIsBetter direction of the metric: harm is a decrease when true, an increase when false (error rate
 *     and latency: false)
 * @param alpha one-sided level of this guardrail, 0 &lt; alpha &lt; 0.5: the chance, under continuous monitoring,
 *     that a canary whose true harm is at most {@code margin} is ever judged {@link GuardrailResult.Verdict#HARM}.
 *     A rollout splits its alpha across its guardrails (Bonferroni, {@code alpha / k})
 * @param minCount fewer observations than this in either arm gives {@link GuardrailResult.Verdict#NOT_ENOUGH_DATA}
 *     (exposures for binary metrics, values otherwise), {@code >= 2}
 * @param mixingSd standard deviation tau of the mSPRT normal mixture on the relative-harm scale (for latency,
 *     {@code ln(1 + mixingSd)} on the log scale); the harm size the test is tuned to detect fastest
 */
public record GuardrailOptions(double margin, boolean higherIsBetter, double alpha, long minCount, double mixingSd) {
    /** Default {@code minCount}: 100 observations per arm. */
    public static final long DEFAULT_MIN_COUNT = 100;
    /** Smallest default {@code mixingSd}, used when twice the margin is below it. */
    public static final double MIN_DEFAULT_MIXING_SD = 0.05;

    public GuardrailOptions {
        Checks.nonNegative("margin", margin);
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("alpha: " + alpha + " (expected: > 0 and < 0.5)");
        }
        if (minCount < 2) {
            throw new IllegalArgumentException("minCount: " + minCount + " (expected: >= 2)");
        }
        Checks.positive("mixingSd", mixingSd);
    }

    /**
     * minCount 100, mixingSd = max(2 margin, 0.05). A look's interval is narrowest when tau^2 is about 10 V, and a
     * bound crosses the margin when its half-width is the distance from the estimate to the margin, so tau should
     * be about the distance to be detected quickly: 2 margin suits harms of 3 margins (and costs non-inferiority,
     * a distance of 1 margin, only a few per cent of width).
     */
    public static GuardrailOptions of(double margin, boolean higherIsBetter, double alpha) {
        return new GuardrailOptions(margin, higherIsBetter, alpha, DEFAULT_MIN_COUNT,
                Math.max(2 * margin, MIN_DEFAULT_MIXING_SD));
    }

    public GuardrailOptions withMinCount(long value) {
        return new GuardrailOptions(margin, higherIsBetter, alpha, value, mixingSd);
    }

    public GuardrailOptions withMixingSd(double value) {
        return new GuardrailOptions(margin, higherIsBetter, alpha, minCount, value);
    }
}
