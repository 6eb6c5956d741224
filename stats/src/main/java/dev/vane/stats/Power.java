package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import dev.vane.stats.internal.Normal;
import org.apache.commons.math3.analysis.solvers.BrentSolver;

/**
 * Sample size per arm and minimum detectable effect (MDE) for two equal arms, normal approximation.
 * Two-sided uses z_{1-alpha/2}, one-sided z_{1-alpha}. Returned sizes are fractional: round up.
 */
public final class Power {
    private Power() {}

    /**
     * Units per arm to detect a change of conversion rate from {@code baseline} to {@code baseline + mde}
     * (absolute) with the given power:
     * {@code n = (z_a sqrt(2 pbar (1 - pbar)) + z_b sqrt(p1 q1 + p2 q2))^2 / mde^2}, pbar = (p1 + p2) / 2.
     * The same equation R's {@code power.prop.test} solves.
     */
    public static double sampleSizeBinary(double baseline, double mde, double alpha, double power,
                                          Alternative alternative) {
        Checks.openUnit("baseline", baseline);
        double p2 = baseline + mde;
        if (!(mde != 0 && p2 > 0 && p2 < 1)) {
            throw new IllegalArgumentException("mde: " + mde + " (expected: != 0 and 0 < baseline + mde < 1)");
        }
        double za = zAlpha(alpha, alternative);
        double zb = Normal.quantile(Checks.openUnit("power", power));
        double pbar = (baseline + p2) / 2;
        double root = za * Math.sqrt(2 * pbar * (1 - pbar)) + zb * Math.sqrt(baseline * (1 - baseline) + p2 * (1 - p2));
        return root * root / (mde * mde);
    }

    /** The smallest absolute increase of conversion rate above {@code baseline} detectable with n per arm. */
    public static double mdeBinary(double baseline, double nPerArm, double alpha, double power,
                                   Alternative alternative) {
        Checks.openUnit("baseline", baseline);
        Checks.positive("nPerArm", nPerArm);
        double za = zAlpha(alpha, alternative);
        double zb = Normal.quantile(Checks.openUnit("power", power));
        double sqrtN = Math.sqrt(nPerArm);
        // achieved power is increasing in the effect; solve power(d) = target for d in (0, 1 - baseline)
        double hi = 1 - baseline;
        org.apache.commons.math3.analysis.UnivariateFunction gap = d -> {
            double p2 = baseline + d;
            double pbar = (baseline + p2) / 2;
            return (sqrtN * d - za * Math.sqrt(2 * pbar * (1 - pbar)))
                    / Math.sqrt(baseline * (1 - baseline) + p2 * (1 - p2)) - zb;
        };
        if (gap.value(hi * (1 - 1e-12)) < 0) {
            return Double.NaN; // not detectable even at 100% conversion
        }
        return new BrentSolver(1e-14, 1e-15).solve(10_000, gap, 1e-15, hi * (1 - 1e-12));
    }

    /** Units per arm to detect a mean difference {@code mde} when the per-unit sd is {@code sd}. */
    public static double sampleSizeContinuous(double sd, double mde, double alpha, double power,
                                              Alternative alternative) {
        Checks.positive("sd", sd);
        if (!(mde != 0) || !Double.isFinite(mde)) {
            throw new IllegalArgumentException("mde: " + mde + " (expected: finite and != 0)");
        }
        double z = zAlpha(alpha, alternative) + Normal.quantile(Checks.openUnit("power", power));
        return 2 * sd * sd * z * z / (mde * mde);
    }

    /** Smallest mean difference detectable with n per arm: {@code (z_a + z_b) sd sqrt(2 / n)}. */
    public static double mdeContinuous(double sd, double nPerArm, double alpha, double power, Alternative alternative) {
        Checks.positive("sd", sd);
        Checks.positive("nPerArm", nPerArm);
        double z = zAlpha(alpha, alternative) + Normal.quantile(Checks.openUnit("power", power));
        return z * sd * Math.sqrt(2 / nPerArm);
    }

    private static double zAlpha(double alpha, Alternative alternative) {
        Checks.openUnit("alpha", alpha);
        Checks.notNull("alternative", alternative);
        return Normal.upperQuantile(alternative == Alternative.TWO_SIDED ? alpha / 2 : alpha);
    }
}
