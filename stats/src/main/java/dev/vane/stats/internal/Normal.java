package dev.vane.stats.internal;

import org.apache.commons.statistics.distribution.NormalDistribution;

/** Standard normal helpers, accurate in the far tails (Commons Statistics' erfc). */
public final class Normal {
    private static final NormalDistribution STANDARD = NormalDistribution.of(0, 1);
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    private Normal() {}

    /** Phi(z). */
    public static double cdf(double z) {
        return STANDARD.cumulativeProbability(z);
    }

    /** 1 - Phi(z), without cancellation for large z. */
    public static double sf(double z) {
        return STANDARD.survivalProbability(z);
    }

    /** phi(z). */
    public static double pdf(double z) {
        return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    }

    /** Phi^-1(p). */
    public static double quantile(double p) {
        return STANDARD.inverseCumulativeProbability(p);
    }

    /** Quantile of the upper tail: z such that 1 - Phi(z) = q, accurate for tiny q. */
    public static double upperQuantile(double q) {
        return STANDARD.inverseSurvivalProbability(q);
    }
}
