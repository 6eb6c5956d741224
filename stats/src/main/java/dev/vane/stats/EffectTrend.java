package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import dev.vane.stats.internal.Normal;
import java.util.EnumSet;

/**
 * Whether an effect drifts over time: a novelty effect (a treatment's effect that fades as units get used to it) or
 * a primacy effect (one that grows). The effect is estimated separately at each time (e.g. per day since a unit's
 * first exposure), each with its standard error, and the estimates are regressed on time.
 */
public final class EffectTrend {
    /** Points needed at least: with two, a line always fits exactly and nothing tests its slope against noise. */
    public static final int MIN_POINTS = 3;

    private EffectTrend() {}

    /**
     * Inverse-variance weighted least-squares slope of {@code effect} on {@code time} (a fixed-effect
     * meta-regression) and its z-test of slope = 0.
     *
     * <p>With weights {@code w_i = 1 / se_i^2}, {@code xbar = sum w x / sum w}, {@code ybar = sum w y / sum w} and
     * {@code Sxx = sum w (x - xbar)^2}: slope {@code b = sum w (x - xbar)(y - ybar) / Sxx}, whose variance, when the
     * {@code se_i} are the estimates' true standard errors and the estimates independent, is {@code 1 / Sxx}; so
     * {@code z = b * sqrt(Sxx)} is standard normal under "no trend" and the test is two-sided. Points whose effect
     * or standard error is not finite, or whose standard error is 0, are left out.
     *
     * @param time   the time of each estimate (e.g. days since first exposure)
     * @param effect the estimate at each time (NaN: undefined, left out)
     * @param se     its standard error (NaN or 0: left out)
     * @param alpha  significance level, in (0, 1)
     * @return the slope per unit of time with its test, or NaNs and {@link ReasonCode#TOO_FEW_POINTS} when fewer
     *     than {@value #MIN_POINTS} points are usable or their times are all equal
     */
    public static TrendResult weightedSlope(double[] time, double[] effect, double[] se, double alpha) {
        Checks.notNull("time", time);
        Checks.notNull("effect", effect);
        Checks.notNull("se", se);
        Checks.openUnit("alpha", alpha);
        if (effect.length != time.length || se.length != time.length) {
            throw new IllegalArgumentException("effect.length, se.length: " + effect.length + ", " + se.length
                    + " (expected: time.length " + time.length + ")");
        }
        Checks.finiteAll("time", time);
        double sw = 0;
        double swx = 0;
        double swy = 0;
        int k = 0;
        for (int i = 0; i < time.length; i++) {
            if (usable(effect[i], se[i])) {
                double w = 1 / (se[i] * se[i]);
                sw += w;
                swx += w * time[i];
                swy += w * effect[i];
                k++;
            }
        }
        if (k < MIN_POINTS) {
            return undefined(k);
        }
        double xbar = swx / sw;
        double ybar = swy / sw;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < time.length; i++) {
            if (usable(effect[i], se[i])) {
                double w = 1 / (se[i] * se[i]);
                double dx = time[i] - xbar;
                sxx += w * dx * dx;
                sxy += w * dx * (effect[i] - ybar);
            }
        }
        if (!(sxx > 0) || !Double.isFinite(sxx)) {
            return undefined(k);
        }
        double slope = sxy / sxx;
        double standardError = 1 / Math.sqrt(sxx);
        double z = slope / standardError;
        double p = Math.min(1, 2 * Normal.sf(Math.abs(z)));
        return new TrendResult(slope, standardError, z, p, p < alpha, k, EnumSet.noneOf(ReasonCode.class));
    }

    private static boolean usable(double effect, double se) {
        return Double.isFinite(effect) && Double.isFinite(se) && se > 0;
    }

    private static TrendResult undefined(int points) {
        return new TrendResult(Double.NaN, Double.NaN, Double.NaN, Double.NaN, false, points,
                EnumSet.of(ReasonCode.TOO_FEW_POINTS));
    }
}
