package dev.vane.stats.internal;

import dev.vane.stats.ContinuousStats;

/**
 * CUPED (Deng et al. 2013): replace y by {@code y - theta (x - mean(x))}, with
 * {@code theta = cov(x, y) / var(x)} estimated on both arms pooled, which keeps the difference of means unbiased
 * and shrinks its variance by the factor 1 - corr(x, y)^2. Works on summaries only:
 * <pre>
 *   mean'  = meanY - theta (meanX - pooledMeanX)
 *   M2'    = M2y - 2 theta C + theta^2 M2x
 * </pre>
 */
public final class Cuped {
    private Cuped() {}

    /**
     * @param theta coefficient used (0 when the pooled covariate has no variance)
     * @param control adjusted control summary (no covariate)
     * @param treatment adjusted treatment summary
     * @param varianceReduction 1 - adjusted within-arm M2 / unadjusted within-arm M2 (0 when theta == 0)
     */
    public record Adjustment(double theta, ContinuousStats control, ContinuousStats treatment,
                             double varianceReduction) {}

    public static Adjustment adjust(ContinuousStats control, ContinuousStats treatment) {
        ContinuousStats pooled = control.merge(treatment);
        if (!(pooled.covariateM2() > 0)) {
            return new Adjustment(0, control, treatment, 0);
        }
        double theta = pooled.crossMoment() / pooled.covariateM2();
        ContinuousStats c = adjustArm(control, theta, pooled.covariateMean());
        ContinuousStats t = adjustArm(treatment, theta, pooled.covariateMean());
        double before = control.m2() + treatment.m2();
        double reduction = before > 0 ? 1 - (c.m2() + t.m2()) / before : 0;
        return new Adjustment(theta, c, t, reduction);
    }

    private static ContinuousStats adjustArm(ContinuousStats s, double theta, double pooledCovariateMean) {
        if (s.count() == 0) {
            return s;
        }
        double mean = s.mean() - theta * (s.covariateMean() - pooledCovariateMean);
        double m2 = s.m2() - 2 * theta * s.crossMoment() + theta * theta * s.covariateM2();
        return ContinuousStats.of(s.count(), mean, Math.max(0, m2));
    }
}
