package dev.vane.stats.internal;

import dev.vane.stats.Alternative;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.ReasonCode;
import dev.vane.stats.TestResult;
import java.util.EnumSet;
import java.util.Set;

/** Welch's unequal-variance t-test from summaries. */
public final class Welch {
    private Welch() {}

    /**
     * {@code t = (mT - mC) / sqrt(vC/nC + vT/nT)} with sample variances v; Welch-Satterthwaite
     * {@code df = (vC/nC + vT/nT)^2 / ((vC/nC)^2/(nC-1) + (vT/nT)^2/(nT-1))}; interval {@code d -/+ t_crit(df) se}.
     */
    public static TestResult test(ContinuousStats control, ContinuousStats treatment, double alpha,
                                  Alternative alternative) {
        Checks.openUnit("alpha", alpha);
        Checks.notNull("alternative", alternative);
        long nc = control.count();
        long nt = treatment.count();
        double diff = treatment.mean() - control.mean();
        if (nc == 0 || nt == 0) {
            return MeanDifference.undefined(diff, Double.NaN, Double.NaN, Set.of(ReasonCode.EMPTY_ARM));
        }
        if (nc < 2 || nt < 2) {
            return MeanDifference.undefined(diff, Double.NaN, Double.NaN,
                    Set.of(ReasonCode.TOO_FEW_OBSERVATIONS));
        }
        double vc = control.variance() / nc;
        double vt = treatment.variance() / nt;
        double se = Math.sqrt(vc + vt);
        if (se == 0) {
            return MeanDifference.build(control.mean(), 0, treatment.mean(), 0, 0, Double.NaN, Double.NaN,
                    alternative, EnumSet.noneOf(ReasonCode.class));
        }
        double df = (vc + vt) * (vc + vt) / (vc * vc / (nc - 1) + vt * vt / (nt - 1));
        return MeanDifference.build(control.mean(), vc, treatment.mean(), vt, se,
                Tails.tCritical(alpha, df, alternative), df, alternative, EnumSet.noneOf(ReasonCode.class));
    }
}
