package dev.vane.stats.internal;

import dev.vane.stats.Alternative;
import dev.vane.stats.Interval;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * Shared last step of the z and t tests: the p-value and interval differ between alternatives only here
 * (the moments are computed once by the caller).
 */
public final class Tails {
    private Tails() {}

    /** p-value of a standard normal statistic. */
    public static double pNormal(double z, Alternative alternative) {
        return switch (alternative) {
            case TWO_SIDED -> Math.min(1.0, 2 * Normal.sf(Math.abs(z)));
            case GREATER -> Normal.sf(z);
            case LESS -> Normal.sf(-z);
        };
    }

    /** p-value of a Student t statistic with {@code df} degrees of freedom. */
    public static double pStudent(double t, double df, Alternative alternative) {
        TDistribution dist = TDistribution.of(df);
        return switch (alternative) {
            case TWO_SIDED -> Math.min(1.0, 2 * dist.survivalProbability(Math.abs(t)));
            case GREATER -> dist.survivalProbability(t);
            case LESS -> dist.survivalProbability(-t);
        };
    }

    /** Critical value of the normal: upper alpha/2 (two-sided) or upper alpha quantile. */
    public static double zCritical(double alpha, Alternative alternative) {
        return Normal.upperQuantile(alternative == Alternative.TWO_SIDED ? alpha / 2 : alpha);
    }

    /** Critical value of Student t. */
    public static double tCritical(double alpha, double df, Alternative alternative) {
        return TDistribution.of(df).inverseSurvivalProbability(
                alternative == Alternative.TWO_SIDED ? alpha / 2 : alpha);
    }

    /**
     * The interval of an estimate whose standard error is 0 (the limit of {@link #interval} as se goes to 0):
     * [estimate, estimate] two-sided, [estimate, +infinity) or (-infinity, estimate] one-sided.
     */
    public static Interval collapsed(double estimate, Alternative alternative) {
        return interval(estimate, 0, 0, alternative);
    }

    /** estimate -/+ critical * se, open on the side the alternative does not test. */
    public static Interval interval(double estimate, double se, double critical, Alternative alternative) {
        if (!Double.isFinite(estimate) || !Double.isFinite(se)) {
            return Interval.UNDEFINED;
        }
        double half = critical * se;
        return switch (alternative) {
            case TWO_SIDED -> new Interval(estimate - half, estimate + half);
            case GREATER -> new Interval(estimate - half, Double.POSITIVE_INFINITY);
            case LESS -> new Interval(Double.NEGATIVE_INFINITY, estimate + half);
        };
    }
}
