package dev.vane.stats;

import java.util.Set;

/**
 * A Pearson chi-square test.
 *
 * @param statistic sum over cells of (observed - expected)^2 / expected
 * @param degreesOfFreedom degrees of freedom
 * @param pValue upper-tail chi-square probability of the statistic
 * @param reasons why some numbers are NaN or approximate
 */
public record ChiSquareResult(double statistic, int degreesOfFreedom, double pValue, Set<ReasonCode> reasons) {
    public ChiSquareResult {
        reasons = Set.copyOf(reasons);
    }
}
