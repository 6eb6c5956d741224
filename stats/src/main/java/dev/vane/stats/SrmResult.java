package dev.vane.stats;

import java.util.Set;

/**
 * A sample-ratio-mismatch check.
 *
 * @param statistic chi-square goodness-of-fit statistic of observed exposures against the configured weights
 * @param degreesOfFreedom arms with positive weight - 1
 * @param pValue upper-tail chi-square probability (1 when nothing was observed)
 * @param mismatch true when pValue &lt; the alarm threshold (default 0.001)
 * @param reasons why some numbers are NaN or approximate
 */
public record SrmResult(double statistic, int degreesOfFreedom, double pValue, boolean mismatch,
                        Set<ReasonCode> reasons) {
    public SrmResult {
        reasons = Set.copyOf(reasons);
    }
}
