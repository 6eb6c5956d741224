package dev.vane.stats;

import java.util.Set;

/**
 * How far a treatment's distribution has moved from the control's.
 *
 * @param ksStatistic two-sample Kolmogorov-Smirnov D = max over x of |F_control(x) - F_treatment(x)|, in 0..1; NaN
 *     for an empty arm
 * @param ksPValue asymptotic two-sided p-value: the Kolmogorov limiting distribution's survival function at
 *     sqrt(n m / (n + m)) D (SciPy's {@code kstwobign.sf}); NaN for an empty arm
 * @param psi population stability index over the control's deciles: sum over bins of (t - c) ln(t / c), the
 *     shares floored at 1e-4; 0 for identical shares, 0.1 and 0.25 the usual "moderate" and "large" marks; NaN for
 *     an empty arm
 * @param reasons why numbers are NaN
 */
public record DriftResult(double ksStatistic, double ksPValue, double psi, Set<ReasonCode> reasons) {
    public DriftResult {
        reasons = Set.copyOf(reasons);
    }
}
