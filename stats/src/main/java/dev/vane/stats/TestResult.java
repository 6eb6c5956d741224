package dev.vane.stats;

import java.util.Set;

/**
 * A fixed-horizon test of {@code difference = treatment - control}.
 *
 * @param statistic z or t
 * @param degreesOfFreedom t degrees of freedom, or +infinity for a z statistic
 * @param pValue p-value under the chosen alternative
 * @param difference treatment estimate - control estimate
 * @param differenceInterval confidence interval of the difference
 * @param relativeLift treatment / control - 1 (NaN when control is 0)
 * @param relativeLiftInterval delta-method interval of the relative lift
 * @param reasons why some numbers are NaN or approximate
 */
public record TestResult(double statistic, double degreesOfFreedom, double pValue, double difference,
                         Interval differenceInterval, double relativeLift, Interval relativeLiftInterval,
                         Set<ReasonCode> reasons) {
    public TestResult {
        reasons = Set.copyOf(reasons);
    }
}
