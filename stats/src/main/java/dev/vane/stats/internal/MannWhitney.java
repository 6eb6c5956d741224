package dev.vane.stats.internal;

import dev.vane.stats.Alternative;
import dev.vane.stats.RankTestResult;
import dev.vane.stats.ReasonCode;
import java.util.EnumSet;

/**
 * Mann-Whitney U test (normal approximation, tie-corrected) and the Hodges-Lehmann shift, on grouped samples so
 * that histogram buckets (heavy ties) cost O(distinct values), not O(observations).
 *
 * <pre>
 *   U_t   = R_t - n_t (n_t + 1) / 2          (R_t: rank sum of treatment, mid-ranks for ties)
 *   sigma = sqrt(n_c n_t / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1))))
 *   two-sided:  z = sign(U_t - n_c n_t / 2) max(|U_t - n_c n_t / 2| - cc, 0) / sigma,  p = 2 (1 - Phi(|z|))
 *   greater:    z = (U_t - n_c n_t / 2 - cc) / sigma,                                p = 1 - Phi(z)
 *   less:       z = (U_t - n_c n_t / 2 + cc) / sigma,                                p = Phi(z)
 * </pre>
 * with cc = 0.5 when the continuity correction is on, else 0 (SciPy's {@code method="asymptotic"} convention: its
 * two-sided p uses max(U_t, U_c), the same |U_t - n_c n_t / 2|). z is always on the treatment - control scale:
 * positive when the treatment tends to be larger, whatever the alternative.
 */
public final class MannWhitney {
    private MannWhitney() {}

    public static RankTestResult test(WeightedSample control, WeightedSample treatment, boolean continuity,
                                      Alternative alternative) {
        Checks.notNull("alternative", alternative);
        double nc = control.total();
        double nt = treatment.total();
        if (nc == 0 || nt == 0) {
            return new RankTestResult(Double.NaN, Double.NaN, Double.NaN, Double.NaN, EnumSet.of(ReasonCode.EMPTY_ARM));
        }
        double n = nc + nt;
        double rankSumT = 0;
        double tieTerm = 0;
        double below = 0;
        int i = 0;
        int j = 0;
        while (i < control.distinct() || j < treatment.distinct()) {
            double v;
            if (j >= treatment.distinct() || (i < control.distinct() && control.value(i) < treatment.value(j))) {
                v = control.value(i);
            } else {
                v = treatment.value(j);
            }
            double cc = 0;
            double ct = 0;
            if (i < control.distinct() && control.value(i) == v) {
                cc = control.count(i++);
            }
            if (j < treatment.distinct() && treatment.value(j) == v) {
                ct = treatment.count(j++);
            }
            double t = cc + ct;
            rankSumT += ct * (below + (t + 1) / 2);
            tieTerm += (t * t - 1) * t;
            below += t;
        }
        double uT = rankSumT - nt * (nt + 1) / 2;
        double mu = nc * nt / 2;
        double variance = nc * nt / 12 * ((n + 1) - tieTerm / (n * (n - 1)));
        double shift = HodgesLehmann.shift(control, treatment);
        EnumSet<ReasonCode> why = EnumSet.noneOf(ReasonCode.class);
        if (!(variance > 0)) {
            why.add(ReasonCode.ZERO_VARIANCE);
            return new RankTestResult(uT, 0, 1.0, shift, why);
        }
        double sigma = Math.sqrt(variance);
        double cc = continuity ? 0.5 : 0;
        double excess = uT - mu;
        double z;
        double p;
        switch (alternative) {
            case GREATER -> {
                z = (excess - cc) / sigma;
                p = Normal.sf(z);
            }
            case LESS -> {
                z = (excess + cc) / sigma;
                p = Normal.sf(-z);
            }
            default -> {
                z = Math.signum(excess) * Math.max(Math.abs(excess) - cc, 0) / sigma;
                p = 2 * Normal.sf(Math.abs(z));
            }
        }
        if (nc < 10 || nt < 10) {
            why.add(ReasonCode.SMALL_EXPECTED_COUNTS);
        }
        return new RankTestResult(uT, z, Math.min(1.0, p), shift, why);
    }
}
