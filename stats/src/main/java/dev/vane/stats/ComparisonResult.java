package dev.vane.stats;

import java.util.Set;

/**
 * Treatment against control for one metric. Undefined numbers are NaN and {@link #reasons} says why.
 *
 * <p>Conventions: control is the first argument of {@link Comparison#compare}; {@code difference = treatment -
 * control}; "better" means larger; the p-value and intervals follow {@link Options#alternative()} (two-sided by
 * default) at level {@link Options#alpha()}.
 *
 * @param kind binary or continuous
 * @param controlMean control conversion rate (successes / exposures, 0 when empty) or mean (CUPED-adjusted when
 *     {@code cupedTheta != 0})
 * @param treatmentMean same for treatment
 * @param difference treatmentMean - controlMean
 * @param differenceInterval confidence interval of the difference: unpooled Wald (binary) or Welch t (continuous),
 *     {@code difference -/+ criticalValue * standardError}
 * @param standardError standard error of the difference, in the metric's unit: unpooled {@code sqrt(pC(1 - pC) / nC
 *     + pT(1 - pT) / nT)} (binary; the z statistic uses the pooled one) or {@code sqrt(sC^2 / nC + sT^2 / nT)}
 *     (continuous, CUPED-adjusted when applied); NaN when an arm is empty or, continuous, has fewer than 2 values
 * @param criticalValue quantile of both intervals: normal (binary) or Student t at {@code degreesOfFreedom}, upper
 *     alpha/2 two-sided or upper alpha one-sided (1.959964 at the defaults); NaN when df is undefined
 * @param relativeLift treatmentMean / controlMean - 1; NaN when controlMean == 0
 * @param relativeLiftInterval delta-method interval of the relative lift
 * @param statistic z (binary, pooled standard error) or Welch t
 * @param degreesOfFreedom Welch-Satterthwaite df, or +infinity for the z-test
 * @param pValue fixed-horizon p-value
 * @param sequential always-valid p-value and confidence sequence after this look (mSPRT, two-sided)
 * @param probabilityTreatmentBetter posterior P(treatment &gt; control): exact Beta-Binomial (binary) or normal
 *     approximation (continuous)
 * @param expectedLossTreatment posterior E[max(control - treatment, 0)]: what shipping treatment costs if wrong
 * @param expectedLossControl posterior E[max(treatment - control, 0)]: what keeping control costs if wrong
 * @param controlCredibleInterval equal-tailed 1 - alpha posterior interval of the control mean
 * @param treatmentCredibleInterval same for treatment
 * @param cupedTheta CUPED coefficient applied (0 when not applied)
 * @param reasons why some numbers are NaN or approximate; empty when all is well
 */
public record ComparisonResult(MetricKind kind, double controlMean, double treatmentMean, double difference,
                               Interval differenceInterval, double standardError, double criticalValue,
                               double relativeLift, Interval relativeLiftInterval,
                               double statistic, double degreesOfFreedom, double pValue,
                               SequentialState sequential, double probabilityTreatmentBetter,
                               double expectedLossTreatment, double expectedLossControl,
                               Interval controlCredibleInterval, Interval treatmentCredibleInterval,
                               double cupedTheta, Set<ReasonCode> reasons) {
    public ComparisonResult {
        reasons = Set.copyOf(reasons);
    }

    /** True when the fixed-horizon p-value is below alpha. */
    public boolean significant(double alpha) {
        return pValue < alpha;
    }
}
