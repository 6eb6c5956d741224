package dev.vane.stats.internal;

import dev.vane.stats.Alternative;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.ChiSquareResult;
import dev.vane.stats.ReasonCode;
import dev.vane.stats.TestResult;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

/** Two-proportion z-test and the k x 2 chi-square test of independence. */
public final class Proportions {
    private Proportions() {}

    /**
     * Pooled two-proportion z-test: {@code z = (pT - pC) / sqrt(p(1-p)(1/nC + 1/nT))} with p the pooled rate.
     * Interval of the difference: unpooled Wald {@code d -/+ z_crit sqrt(pC(1-pC)/nC + pT(1-pT)/nT)}. Interval of the
     * relative lift {@code pT/pC - 1}: delta method.
     */
    public static TestResult zTest(BinaryStats control, BinaryStats treatment, double alpha, Alternative alternative) {
        Checks.openUnit("alpha", alpha);
        Checks.notNull("alternative", alternative);
        long nc = control.exposures();
        long nt = treatment.exposures();
        if (nc == 0 || nt == 0) {
            return MeanDifference.undefined(treatment.rate() - control.rate(), Double.POSITIVE_INFINITY,
                    Tails.zCritical(alpha, alternative), Set.of(ReasonCode.EMPTY_ARM));
        }
        double pc = control.rate();
        double pt = treatment.rate();
        double n = (double) nc + nt;
        double s = (double) control.successes() + treatment.successes();
        double pooled = s / n;
        double sePooled = Math.sqrt(pooled * (1 - pooled) * (1.0 / nc + 1.0 / nt));
        EnumSet<ReasonCode> why = EnumSet.noneOf(ReasonCode.class);
        double minCell = Math.min(Math.min(nc, nt) * pooled, Math.min(nc, nt) * (1 - pooled));
        if (minCell < 5) {
            why.add(ReasonCode.SMALL_EXPECTED_COUNTS);
        }
        return MeanDifference.build(pc, pc * (1 - pc) / nc, pt, pt * (1 - pt) / nt, sePooled,
                Tails.zCritical(alpha, alternative), Double.POSITIVE_INFINITY, alternative, why);
    }

    /**
     * Pearson chi-square test of independence of arm and outcome in a k x 2 table, without continuity correction:
     * {@code X2 = sum_i (s_i - n_i p)^2 / (n_i p (1 - p))}, df = k - 1.
     */
    public static ChiSquareResult chiSquare(BinaryStats... arms) {
        Checks.notNull("arms", arms);
        EnumSet<ReasonCode> why = EnumSet.noneOf(ReasonCode.class);
        int k = arms.length;
        if (k < 2) {
            return new ChiSquareResult(0, 0, 1.0, Set.of(ReasonCode.SINGLE_ARM));
        }
        double n = 0;
        double s = 0;
        for (BinaryStats arm : arms) {
            Checks.notNull("arm", arm);
            if (arm.exposures() == 0) {
                return new ChiSquareResult(Double.NaN, k - 1, Double.NaN, Set.of(ReasonCode.EMPTY_ARM));
            }
            n += arm.exposures();
            s += arm.successes();
        }
        double p = s / n;
        if (p == 0 || p == 1) {
            return new ChiSquareResult(0, k - 1, 1.0, Set.of(ReasonCode.ZERO_VARIANCE));
        }
        double x2 = 0;
        for (BinaryStats arm : arms) {
            double ni = arm.exposures();
            double e = ni * p;
            double d = arm.successes() - e;
            x2 += d * d / (e * (1 - p));
            if (Math.min(e, ni - e) < 5) {
                why.add(ReasonCode.SMALL_EXPECTED_COUNTS);
            }
        }
        return new ChiSquareResult(x2, k - 1, ChiSquaredDistribution.of(k - 1).survivalProbability(x2), why);
    }
}
