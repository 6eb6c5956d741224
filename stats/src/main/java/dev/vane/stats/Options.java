package dev.vane.stats;

import dev.vane.stats.internal.Checks;

/**
 * Settings of a {@link Comparison}. Start from {@link #defaults()} and change fields with the {@code with*}
 * methods.
 *
 * @param alpha significance level, 0 &lt; alpha &lt; 1; intervals have coverage 1 - alpha (default 0.05)
 * @param alternative alternative hypothesis of the fixed-horizon test (default two-sided); the sequential test is
 *     always two-sided
 * @param sequentialEffectSize standard deviation of the mSPRT normal mixture in units of the metric's per-unit
 *     standard deviation: tau = sequentialEffectSize * sd. Pick the typical standardised effect you hope to detect
 *     (default 0.1). Not used while {@code mixingVariance} is set
 * @param mixingVariance variance tau^2 of the mSPRT normal mixture set directly, in the squared unit of the
 *     difference (binary: rate^2, e.g. 1e-4 for tau = 1 percentage point), or 0 when unset (default): then tau^2 =
 *     sequentialEffectSize^2 * the pooled per-unit variance; see {@link #mixingVarianceFor(double)}
 * @param priorSuccesses Beta prior alpha for conversion rates (default 1: uniform prior)
 * @param priorFailures Beta prior beta for conversion rates (default 1)
 * @param cuped adjust continuous metrics with their pre-period covariate (default true; ignored without one)
 * @param monteCarloDraws posterior draws for P(best) among k arms (default 100,000)
 * @param seed seed of those draws, so results are reproducible (default 42)
 */
public record Options(double alpha, Alternative alternative, double sequentialEffectSize, double mixingVariance,
                      double priorSuccesses, double priorFailures, boolean cuped, int monteCarloDraws, long seed) {
    private static final Options DEFAULTS =
            new Options(0.05, Alternative.TWO_SIDED, 0.1, 0, 1, 1, true, 100_000, 42);

    public Options {
        Checks.openUnit("alpha", alpha);
        Checks.notNull("alternative", alternative);
        Checks.positive("sequentialEffectSize", sequentialEffectSize);
        Checks.nonNegative("mixingVariance", mixingVariance);
        Checks.positive("priorSuccesses", priorSuccesses);
        Checks.positive("priorFailures", priorFailures);
        Checks.atLeast("monteCarloDraws", monteCarloDraws, 1);
    }

    /**
     * alpha 0.05, two-sided, mixture effect size 0.1 sd (mixing variance unset), Beta(1, 1) prior, CUPED on, 100,000
     * draws, seed 42.
     */
    public static Options defaults() {
        return DEFAULTS;
    }

    /**
     * The mSPRT mixing variance tau^2 for a metric whose pooled per-unit variance is {@code unitVariance}:
     * {@link #mixingVariance()} when set, else {@code sequentialEffectSize^2 * unitVariance} (0 when that variance
     * is 0, and then the sequential state is left as it was).
     */
    public double mixingVarianceFor(double unitVariance) {
        return mixingVariance > 0 ? mixingVariance : sequentialEffectSize * sequentialEffectSize * unitVariance;
    }

    public Options withAlpha(double value) {
        return new Options(value, alternative, sequentialEffectSize, mixingVariance, priorSuccesses, priorFailures,
                cuped, monteCarloDraws, seed);
    }

    public Options withAlternative(Alternative value) {
        return new Options(alpha, value, sequentialEffectSize, mixingVariance, priorSuccesses, priorFailures, cuped,
                monteCarloDraws, seed);
    }

    /** tau = value * pooled sd; clears a mixing variance set with {@link #withMixingVariance} (the last call wins). */
    public Options withSequentialEffectSize(double value) {
        return new Options(alpha, alternative, value, 0, priorSuccesses, priorFailures, cuped, monteCarloDraws, seed);
    }

    /**
     * Sets the mSPRT mixing variance tau^2 directly, in the squared unit of the difference, for every metric these
     * options compare; it replaces {@code sequentialEffectSize * pooled sd} until {@link #withSequentialEffectSize}
     * is called again.
     *
     * @param tau2 finite and &gt; 0
     */
    public Options withMixingVariance(double tau2) {
        Checks.positive("mixingVariance", tau2);
        return new Options(alpha, alternative, sequentialEffectSize, tau2, priorSuccesses, priorFailures, cuped,
                monteCarloDraws, seed);
    }

    public Options withBetaPrior(double successes, double failures) {
        return new Options(alpha, alternative, sequentialEffectSize, mixingVariance, successes, failures, cuped,
                monteCarloDraws, seed);
    }

    public Options withCuped(boolean value) {
        return new Options(alpha, alternative, sequentialEffectSize, mixingVariance, priorSuccesses, priorFailures,
                value, monteCarloDraws, seed);
    }

    public Options withMonteCarlo(int draws, long seedValue) {
        return new Options(alpha, alternative, sequentialEffectSize, mixingVariance, priorSuccesses, priorFailures,
                cuped, draws, seedValue);
    }
}
