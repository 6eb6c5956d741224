package dev.vane.stats;

import java.io.Serializable;
import java.util.Locale;
import java.util.Set;

/**
 * One look of a guardrail test: is the canary worse than the champion by more than the margin?
 *
 * <p>Harm is relative and signed so that positive is bad: {@code (canary - champion) / |champion|} for a
 * lower-is-better metric, {@code (champion - canary) / |champion|} for a higher-is-better one, and
 * {@code exp(mean ln canary - mean ln champion) - 1} for latency (ratio of geometric means minus 1).
 *
 * @param verdict the decision at this look
 * @param estimate relative harm (see above); NaN when it cannot be computed
 * @param lower lower bound of the always-valid one-sided (1 - alpha) confidence sequence for the relative harm;
 *     NaN when undefined
 * @param upper upper bound of the always-valid one-sided (1 - alpha) confidence sequence; NaN when undefined
 * @param margin the tolerated relative harm
 * @param alpha the one-sided level used (the two-sided sequence is computed at {@code 2 alpha})
 * @param pValue always-valid one-sided p-value of "harm &gt; margin": {@code min(1, 1 / (2 Lambda))} where Lambda is
 *     the mixture likelihood ratio at harm = margin, when the estimate exceeds the margin, otherwise 1.
 *     {@code pValue < alpha} exactly when {@code lower > margin}
 * @param eValue Lambda, the mixture likelihood ratio against "harm = margin" (two-sided e-value; 1 when
 *     undefined)
 * @param championCount exposures (binary) or observations (continuous, latency) of the champion
 * @param canaryCount the same for the canary
 * @param reasons why numbers are NaN or approximate
 */
public record GuardrailResult(Verdict verdict, double estimate, double lower, double upper, double margin,
                              double alpha, double pValue, double eValue, long championCount, long canaryCount,
                              Set<ReasonCode> reasons) implements Serializable {
    /** What a look says about the harm. */
    public enum Verdict {
        /** The lower confidence bound of the harm exceeds the margin: roll back. */
        HARM,
        /** The upper confidence bound of the harm is below the margin. */
        NON_INFERIOR,
        /** The confidence sequence contains the margin. */
        INCONCLUSIVE,
        /** An arm has fewer than {@code minCount} observations, or the harm cannot be computed. */
        NOT_ENOUGH_DATA
    }

    public GuardrailResult {
        reasons = Set.copyOf(reasons);
    }

    /** One line, e.g. {@code HARM: harm +95.1% [+31.2%, +182%] vs margin 20%, p=0.0012, n=9000/500}. */
    public String describe() {
        return String.format(Locale.ROOT, "%s: harm %s [%s, %s] vs margin %s, p=%.3g, n=%d/%d%s", verdict,
                percent(estimate), percent(lower), percent(upper), percent(margin).replace("+", ""), pValue,
                championCount, canaryCount, reasons.isEmpty() ? "" : " " + reasons);
    }

    private static String percent(double x) {
        if (Double.isNaN(x)) {
            return "n/a";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "+inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%+.3g%%", 100 * x);
    }
}
