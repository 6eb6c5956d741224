package dev.vane.stats;

import java.util.Set;

/**
 * A fixed-horizon test of {@code difference = treatment - control}.
 *
 * @param statistic z or t
 * @param degreesOfFreedom t degrees of freedom, or +infinity for a z statistic
 * @param pValue p-value under the chosen alternative
 * @param difference treatment estimate - control estimate
 * @param differenceInterval confidence interval of the difference: {@code difference -/+ criticalValue *
 *     standardError} (open on one side for a one-sided alternative)
 * @param standardError standard error of the difference used by its interval (unpooled; the pooled z statistic
 *     uses the pooled one); NaN when an arm is empty or, for Welch, has fewer than 2 observations
 * @param criticalValue quantile used by both intervals: normal (z) or Student t at {@code degreesOfFreedom}, upper
 *     alpha/2 two-sided or upper alpha one-sided; NaN when the degrees of freedom are undefined
 * @param relativeLift treatment / control - 1 (NaN when control is 0)
 * @param relativeLiftInterval delta-method interval of the relative lift
 * @param reasons why some numbers are NaN or approximate
 */
public record TestResult(double statistic, double degreesOfFreedom, double pValue, double difference,
                         Interval differenceInterval, double standardError, double criticalValue,
                         double relativeLift, Interval relativeLiftInterval, Set<ReasonCode> reasons) {
    public TestResult {
        reasons = Set.copyOf(reasons);
    }
}
