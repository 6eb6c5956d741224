package dev.vane.stats;

import java.util.Set;

/**
 * A Mann-Whitney U test of treatment against control (asymptotic normal approximation with tie correction).
 *
 * @param u U of the treatment: pairs (control c, treatment t) with t &gt; c, plus half the tied pairs; ranges over
 *     0..n_c*n_t. Equals SciPy's {@code mannwhitneyu(treatment, control).statistic}
 * @param z standardised statistic (with the continuity correction when requested)
 * @param pValue p-value under the chosen alternative (GREATER: treatment stochastically larger)
 * @param hodgesLehmannShift median of all pairwise differences treatment - control
 * @param reasons why some numbers are NaN or approximate
 */
public record RankTestResult(double u, double z, double pValue, double hodgesLehmannShift, Set<ReasonCode> reasons) {
    public RankTestResult {
        reasons = Set.copyOf(reasons);
    }
}
