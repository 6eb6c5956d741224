package dev.vane.stats.internal;

/**
 * Normal approximation of the posterior of a mean under a flat prior: mean ~ N(sample mean, s^2 / n).
 * For D = T - C ~ N(m, v): P(T &gt; C) = Phi(m / sqrt(v)), and the expected loss
 * E[max(-D, 0)] = sqrt(v) phi(m / sqrt(v)) - m Phi(-m / sqrt(v)).
 */
public final class NormalPosterior {
    private NormalPosterior() {}

    /** P(T &gt; C) when T - C ~ N(m, v); 0.5 when v == 0 and m == 0. */
    public static double probabilityGreater(double m, double v) {
        if (v == 0) {
            return m > 0 ? 1 : m < 0 ? 0 : 0.5;
        }
        return Normal.cdf(m / Math.sqrt(v));
    }

    /** E[max(-D, 0)] for D ~ N(m, v): the expected loss of choosing T. */
    public static double expectedLoss(double m, double v) {
        if (v == 0) {
            return Math.max(-m, 0);
        }
        double s = Math.sqrt(v);
        double z = m / s;
        return s * Normal.pdf(z) - m * Normal.cdf(-z);
    }
}
