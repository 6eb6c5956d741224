package dev.vane.stats;

import dev.vane.stats.internal.Checks;

/**
 * Settings of a {@link ThompsonSampler}. Start from {@link #defaults()}.
 *
 * @param explorationFloor every arm is chosen with probability at least this, 0 &lt;= floor &lt;= 1/arms
 *     (default 0: pure Thompson sampling)
 * @param leaderProbability top-two Thompson sampling (Russo 2016): the posterior draw's best arm is played with
 *     this probability, otherwise the best arm of a re-draw that differs from it. 1 = plain Thompson sampling
 *     (default); 0.5 is the usual top-two choice
 * @param discount each batch update first multiplies the accumulated evidence by this factor, 0 &lt; discount
 *     &lt;= 1, forgetting old rewards for non-stationary arms (default 1: no forgetting)
 * @param priorAlpha Beta prior alpha of Bernoulli arms (default 1)
 * @param priorBeta Beta prior beta of Bernoulli arms (default 1)
 * @param priorMean prior mean of Gaussian arms' expected reward (default 0)
 * @param priorSd prior sd of Gaussian arms' expected reward (default 1); set it to the reward's scale
 * @param priorNoiseSd prior guess of the per-reward noise sd of Gaussian arms, worth one observation (default 1)
 */
public record ThompsonConfig(double explorationFloor, double leaderProbability, double discount, double priorAlpha,
                             double priorBeta, double priorMean, double priorSd, double priorNoiseSd) {
    private static final ThompsonConfig DEFAULTS = new ThompsonConfig(0, 1, 1, 1, 1, 0, 1, 1);

    public ThompsonConfig {
        Checks.closedUnit("explorationFloor", explorationFloor);
        Checks.closedUnit("leaderProbability", leaderProbability);
        if (!(discount > 0 && discount <= 1)) {
            throw new IllegalArgumentException("discount: " + discount + " (expected: > 0 and <= 1)");
        }
        Checks.positive("priorAlpha", priorAlpha);
        Checks.positive("priorBeta", priorBeta);
        Checks.finite("priorMean", priorMean);
        Checks.positive("priorSd", priorSd);
        Checks.positive("priorNoiseSd", priorNoiseSd);
    }

    /** Plain Thompson sampling, no floor, no discount, Beta(1, 1) and N(0, 1) priors, noise sd 1. */
    public static ThompsonConfig defaults() {
        return DEFAULTS;
    }

    public ThompsonConfig withExplorationFloor(double value) {
        return new ThompsonConfig(value, leaderProbability, discount, priorAlpha, priorBeta, priorMean, priorSd,
                priorNoiseSd);
    }

    public ThompsonConfig withTopTwo(double leaderProbabilityValue) {
        return new ThompsonConfig(explorationFloor, leaderProbabilityValue, discount, priorAlpha, priorBeta, priorMean,
                priorSd, priorNoiseSd);
    }

    public ThompsonConfig withDiscount(double value) {
        return new ThompsonConfig(explorationFloor, leaderProbability, value, priorAlpha, priorBeta, priorMean,
                priorSd, priorNoiseSd);
    }

    public ThompsonConfig withBetaPrior(double alpha, double beta) {
        return new ThompsonConfig(explorationFloor, leaderProbability, discount, alpha, beta, priorMean, priorSd,
                priorNoiseSd);
    }

    public ThompsonConfig withGaussianPrior(double mean, double sd, double noiseSd) {
        return new ThompsonConfig(explorationFloor, leaderProbability, discount, priorAlpha, priorBeta, mean, sd,
                noiseSd);
    }
}
