package dev.vane.stats;

import java.util.Set;

/**
 * A Mann-Whitney U test of treatment against control (asymptotic normal approximation with tie correction).
 *
 * @param u U of the treatment: pairs (control c, treatment t) with t &gt; c, plus half the tied pairs; ranges over
 *     0..n_c*n_t. Equals SciPy's {@code mannwhitneyu(treatment, control).statistic}
 * @param z standardised statistic on the treatment - control scale, with its sign for every alternative: positive
 *     when the treatment tends to be larger ({@code u > n_c*n_t/2}), negative when smaller, 0 when U equals its
 *     null mean or lies within the continuity correction of it (two-sided); 0 with zero variance, NaN for an empty
 *     arm
 * @param pValue p-value under the chosen alternative (GREATER: treatment stochastically larger)
 * @param hodgesLehmannShift median of all pairwise differences treatment - control
 * @param reasons why some numbers are NaN or approximate
 */
public record RankTestResult(double u, double z, double pValue, double hodgesLehmannShift, Set<ReasonCode> reasons) {
    public RankTestResult {
        reasons = Set.copyOf(reasons);
    }
}
