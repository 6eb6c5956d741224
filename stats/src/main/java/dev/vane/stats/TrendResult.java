package dev.vane.stats;

import java.util.Set;

/**
 * A test for a linear trend of an effect over time ({@link EffectTrend#weightedSlope}).
 *
 * @param slope         change of the effect per unit of time (e.g. per day), in the effect's units; NaN when
 *                      {@link ReasonCode#TOO_FEW_POINTS}
 * @param standardError standard error of the slope, {@code 1 / sqrt(sum w_i (x_i - xbar)^2)} with
 *                      {@code w_i = 1 / se_i^2}; NaN as the slope
 * @param z             {@code slope / standardError}; NaN as the slope
 * @param pValue        two-sided normal p-value of {@code z}, {@code 2 * P(Z > |z|)}; NaN as the slope
 * @param significant   {@code pValue < alpha} (false when NaN)
 * @param points        points used: finite effect and standard error, standard error {@code > 0}
 * @param reasons       why numbers are NaN
 */
public record TrendResult(double slope, double standardError, double z, double pValue, boolean significant,
                          int points, Set<ReasonCode> reasons) {
    public TrendResult {
        reasons = Set.copyOf(reasons);
    }
}
