package dev.vane.stats.internal;

import dev.vane.stats.Interval;
import dev.vane.stats.SequentialState;

/**
 * Mixture sequential probability ratio test with a normal mixture (Johari, Pekelis, Koomen, Walsh, "Always Valid
 * Inference", 2017/2022), for a difference of means {@code theta}.
 *
 * <p>At each look the estimate {@code d} of theta has (plug-in) variance {@code V = vC/nC + vT/nT}. Mixing the
 * likelihood ratio of N(theta, V) against N(theta0, V) over theta ~ N(theta0, tau^2) gives
 * <pre>
 *   Lambda = sqrt(V / (V + tau^2)) * exp( tau^2 (d - theta0)^2 / (2 V (V + tau^2)) )
 * </pre>
 * a nonnegative martingale under H0 with mean 1, so by Ville's inequality P(sup_n Lambda_n &gt;= 1/alpha) &lt;= alpha.
 * The always-valid p-value is {@code p_n = min(p_{n-1}, 1 / Lambda_n)} (p_0 = 1), hence non-increasing. Inverting
 * {@code Lambda >= 1/alpha} in theta0 gives the interval at look n
 * <pre>
 *   d -/+ sqrt( (V (V + tau^2) / tau^2) * (2 log(1/alpha) + log((V + tau^2) / V)) )
 * </pre>
 * and the confidence sequence is the running intersection of these intervals. Both are two-sided. The caller picks
 * tau^2 ({@code Options.mixingVarianceFor}): set directly, or a standardised effect size times the pooled variance.
 */
public final class MixtureSprt {
    private MixtureSprt() {}

    /** 1 / Lambda for one look, capped at 1. */
    public static double instantaneousP(double estimate, double variance, double tau2) {
        double logLambda = 0.5 * Math.log(variance / (variance + tau2))
                + tau2 * estimate * estimate / (2 * variance * (variance + tau2));
        return Math.min(1.0, Math.exp(-logLambda));
    }

    /** Half-width of the look's interval. */
    public static double halfWidth(double variance, double tau2, double alpha) {
        return Math.sqrt(variance * (variance + tau2) / tau2
                * (2 * Math.log(1 / alpha) + Math.log((variance + tau2) / variance)));
    }

    /**
     * The state after one more look.
     *
     * @return the new state, or {@code previous} unchanged (looks + 1) when {@code variance} is not positive
     */
    public static Look look(SequentialState previous, double estimate, double variance, double tau2, double alpha) {
        Checks.positive("tau2", tau2);
        Checks.openUnit("alpha", alpha);
        if (!(variance > 0) || !Double.isFinite(estimate)) {
            return new Look(new SequentialState(previous.looks() + 1, previous.pValue(), previous.interval()), false);
        }
        double p = Math.min(previous.pValue(), instantaneousP(estimate, variance, tau2));
        double h = halfWidth(variance, tau2, alpha);
        Interval now = new Interval(estimate - h, estimate + h);
        Interval running = previous.interval().intersect(now);
        boolean empty = running == null;
        return new Look(new SequentialState(previous.looks() + 1, p, empty ? now : running), empty);
    }

    /** A look's state and whether the running intersection became empty. */
    public record Look(SequentialState state, boolean emptyIntersection) {}
}
