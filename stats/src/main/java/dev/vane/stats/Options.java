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
 *     (default 0.1)
 * @param priorSuccesses Beta prior alpha for conversion rates (default 1: uniform prior)
 * @param priorFailures Beta prior beta for conversion rates (default 1)
 * @param cuped adjust continuous metrics with their pre-period covariate (default true; ignored without one)
 * @param monteCarloDraws posterior draws for P(best) among k arms (default 100,000)
 * @param seed seed of those draws, so results are reproducible (default 42)
 */
public record Options(double alpha, Alternative alternative, double sequentialEffectSize, double priorSuccesses,
                      double priorFailures, boolean cuped, int monteCarloDraws, long seed) {
    private static final Options DEFAULTS = new Options(0.05, Alternative.TWO_SIDED, 0.1, 1, 1, true, 100_000, 42);

    public Options {
        Checks.openUnit("alpha", alpha);
        Checks.notNull("alternative", alternative);
        Checks.positive("sequentialEffectSize", sequentialEffectSize);
        Checks.positive("priorSuccesses", priorSuccesses);
        Checks.positive("priorFailures", priorFailures);
        Checks.atLeast("monteCarloDraws", monteCarloDraws, 1);
    }

    /** alpha 0.05, two-sided, mixture effect size 0.1 sd, Beta(1, 1) prior, CUPED on, 100,000 draws, seed 42. */
    public static Options defaults() {
        return DEFAULTS;
    }

    public Options withAlpha(double value) {
        return new Options(value, alternative, sequentialEffectSize, priorSuccesses, priorFailures, cuped,
                monteCarloDraws, seed);
    }

    public Options withAlternative(Alternative value) {
        return new Options(alpha, value, sequentialEffectSize, priorSuccesses, priorFailures, cuped,
                monteCarloDraws, seed);
    }

    public Options withSequentialEffectSize(double value) {
        return new Options(alpha, alternative, value, priorSuccesses, priorFailures, cuped, monteCarloDraws, seed);
    }

    public Options withBetaPrior(double successes, double failures) {
        return new Options(alpha, alternative, sequentialEffectSize, successes, failures, cuped, monteCarloDraws,
                seed);
    }

    public Options withCuped(boolean value) {
        return new Options(alpha, alternative, sequentialEffectSize, priorSuccesses, priorFailures, value,
                monteCarloDraws, seed);
    }

    public Options withMonteCarlo(int draws, long seedValue) {
        return new Options(alpha, alternative, sequentialEffectSize, priorSuccesses, priorFailures, cuped, draws,
                seedValue);
    }
}
