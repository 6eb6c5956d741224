package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import dev.vane.stats.internal.Gamma;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * An immutable posterior snapshot of a multi-armed bandit that picks arms by Thompson sampling.
 *
 * <p>Thompson sampling plays each arm with the posterior probability that it is the best: draw one plausible
 * expected reward per arm from its posterior and play the arm with the largest draw. Bernoulli arms have
 * Beta(priorAlpha + successes, priorBeta + failures) posteriors (a Beta draw is Ga / (Ga + Gb) of two Gamma
 * draws). Gaussian arms have a normal posterior of the mean reward with conjugate prior N(priorMean, priorSd^2)
 * and a plug-in noise variance {@code s^2 = (M2 + priorNoiseSd^2) / (max(n - 1, 0) + 1)}: precision
 * {@code 1/priorSd^2 + n/s^2}, mean {@code (priorMean/priorSd^2 + n mean/s^2) / precision}.
 *
 * <p>Usage: the request path calls {@link #choose(RandomGenerator)} on the current snapshot with a per-thread
 * generator (e.g. {@code ThreadLocalRandom.current()}, or a {@code SplittableRandom} seeded per request so the
 * decision can be replayed from its seed); it allocates nothing, takes no lock, and is safe from any number of
 * threads. Rewards are batched off the request path into {@link #withBatch(BinaryStats[])} or
 * {@link #withBatch(ContinuousStats[])}, which return a new snapshot to publish (e.g. through an
 * {@code AtomicReference}).
 */
public final class ThompsonSampler {
    private static final int TOP_TWO_REDRAWS = 16;

    private final boolean gaussian;
    private final ThompsonConfig config;
    // evidence (discounted counts / moments)
    private final double[] evidenceA; // successes, or n for Gaussian
    private final double[] evidenceB; // failures, or mean for Gaussian
    private final double[] evidenceC; // unused, or M2 for Gaussian
    // posterior parameters, precomputed for sampling
    private final double[] shapeA; // Beta alpha, or posterior mean
    private final double[] shapeB; // Beta beta, or posterior sd
    private final double[] dA;
    private final double[] cA;
    private final double[] dB;
    private final double[] cB;
    private final double floorMass;
    private final double floor;

    private ThompsonSampler(boolean gaussian, ThompsonConfig config, double[] evidenceA, double[] evidenceB,
                            double[] evidenceC) {
        int k = evidenceA.length;
        if (config.explorationFloor() * k > 1 + 1e-12) {
            throw new IllegalArgumentException("explorationFloor: " + config.explorationFloor()
                    + " (expected: <= 1/arms = " + (1.0 / k) + ")");
        }
        this.gaussian = gaussian;
        this.config = config;
        this.evidenceA = evidenceA;
        this.evidenceB = evidenceB;
        this.evidenceC = evidenceC;
        this.shapeA = new double[k];
        this.shapeB = new double[k];
        this.dA = new double[k];
        this.cA = new double[k];
        this.dB = new double[k];
        this.cB = new double[k];
        this.floor = config.explorationFloor();
        this.floorMass = Math.min(1.0, floor * k);
        for (int i = 0; i < k; i++) {
            if (gaussian) {
                double n = evidenceA[i];
                double noise = (evidenceC[i] + square(config.priorNoiseSd())) / (Math.max(n - 1, 0) + 1);
                double priorPrecision = 1 / square(config.priorSd());
                double precision = priorPrecision + n / noise;
                shapeA[i] = (config.priorMean() * priorPrecision + n * evidenceB[i] / noise) / precision;
                shapeB[i] = 1 / Math.sqrt(precision);
            } else {
                shapeA[i] = config.priorAlpha() + evidenceA[i];
                shapeB[i] = config.priorBeta() + evidenceB[i];
                dA[i] = Gamma.d(shapeA[i]);
                cA[i] = Gamma.c(dA[i]);
                dB[i] = Gamma.d(shapeB[i]);
                cB[i] = Gamma.c(dB[i]);
            }
        }
    }

    /** Bernoulli (success / failure) arms with no data yet. */
    public static ThompsonSampler bernoulli(int arms, ThompsonConfig config) {
        Checks.atLeast("arms", arms, 1);
        Checks.notNull("config", config);
        return new ThompsonSampler(false, config, new double[arms], new double[arms], new double[arms]);
    }

    /** Gaussian (continuous reward) arms with no data yet. */
    public static ThompsonSampler gaussian(int arms, ThompsonConfig config) {
        Checks.atLeast("arms", arms, 1);
        Checks.notNull("config", config);
        return new ThompsonSampler(true, config, new double[arms], new double[arms], new double[arms]);
    }

    /** Number of arms. */
    public int arms() {
        return evidenceA.length;
    }

    /** The configuration. */
    public ThompsonConfig config() {
        return config;
    }

    /** Posterior mean of arm i's expected reward (conversion rate for Bernoulli arms). */
    public double posteriorMean(int arm) {
        checkArm(arm);
        return gaussian ? shapeA[arm] : shapeA[arm] / (shapeA[arm] + shapeB[arm]);
    }

    /**
     * A new snapshot: the accumulated evidence times {@link ThompsonConfig#discount()}, plus this batch of Bernoulli
     * outcomes (one entry per arm; {@link BinaryStats#EMPTY} for arms without news).
     */
    public ThompsonSampler withBatch(BinaryStats[] batch) {
        requireKind(false);
        checkBatch(batch);
        double g = config.discount();
        double[] s = new double[arms()];
        double[] f = new double[arms()];
        for (int i = 0; i < s.length; i++) {
            s[i] = evidenceA[i] * g + batch[i].successes();
            f[i] = evidenceB[i] * g + batch[i].failures();
        }
        return new ThompsonSampler(false, config, s, f, evidenceC);
    }

    /** A new snapshot with one Bernoulli outcome (a batch of one; the discount applies). */
    public ThompsonSampler withOutcome(int arm, boolean success) {
        requireKind(false);
        checkArm(arm);
        double g = config.discount();
        double[] s = evidenceA.clone();
        double[] f = evidenceB.clone();
        if (g != 1) {
            for (int i = 0; i < s.length; i++) {
                s[i] *= g;
                f[i] *= g;
            }
        }
        if (success) {
            s[arm] += 1;
        } else {
            f[arm] += 1;
        }
        return new ThompsonSampler(false, config, s, f, evidenceC);
    }

    /**
     * A new snapshot: the accumulated evidence (count and M2) times {@link ThompsonConfig#discount()}, merged with this
     * batch of continuous rewards (one summary per arm).
     */
    public ThompsonSampler withBatch(ContinuousStats[] batch) {
        requireKind(true);
        checkBatch(batch);
        double g = config.discount();
        int k = arms();
        double[] n = new double[k];
        double[] mean = new double[k];
        double[] m2 = new double[k];
        for (int i = 0; i < k; i++) {
            double na = evidenceA[i] * g;
            double ma = evidenceB[i];
            double m2a = evidenceC[i] * g;
            double nb = batch[i].count();
            if (nb == 0) {
                n[i] = na;
                mean[i] = ma;
                m2[i] = m2a;
                continue;
            }
            double total = na + nb;
            double delta = batch[i].mean() - ma;
            n[i] = total;
            mean[i] = ma + delta * nb / total;
            m2[i] = m2a + batch[i].m2() + delta * delta * na * nb / total;
        }
        return new ThompsonSampler(true, config, n, mean, m2);
    }

    /**
     * The arm to play. Allocation-free and lock-free.
     *
     * <p>With probability {@code arms * explorationFloor} an arm is drawn uniformly (the floor); otherwise
     * Thompson sampling (top-two when {@code leaderProbability < 1}: the challenger is the best arm of the first of up
     * to 16 re-draws whose best arm is not the leader; if all 16 agree with the leader, the best non-leader arm of
     * one more draw, which bounds the cost when one arm dominates).
     *
     * @param rng the caller's generator, e.g. {@code ThreadLocalRandom.current()}; not shared between threads
     */
    public int choose(RandomGenerator rng) {
        int k = evidenceA.length;
        if (floorMass > 0) {
            double u = rng.nextDouble();
            if (u < floorMass) {
                return Math.min(k - 1, (int) (u / floor));
            }
        }
        int leader = argmaxDraw(rng, -1);
        if (config.leaderProbability() >= 1 || k == 1 || rng.nextDouble() < config.leaderProbability()) {
            return leader;
        }
        for (int attempt = 0; attempt < TOP_TWO_REDRAWS; attempt++) {
            int challenger = argmaxDraw(rng, -1);
            if (challenger != leader) {
                return challenger;
            }
        }
        return argmaxDraw(rng, leader);
    }

    /** {@link #choose(RandomGenerator)} with a fresh {@code SplittableRandom(seed)}: the decision replays from its seed. */
    public int choose(long seed) {
        return choose(new SplittableRandom(seed));
    }

    /**
     * P(choose arm i) under this snapshot, estimated by running the decision rule {@code draws} times
     * (standard error &lt;= 0.5 / sqrt(draws)). For plain Thompson sampling without floor this is P(arm i is best).
     */
    public double[] allocation(RandomGenerator rng, int draws) {
        Checks.notNull("rng", rng);
        Checks.atLeast("draws", draws, 1);
        double[] p = new double[arms()];
        for (int i = 0; i < draws; i++) {
            p[choose(rng)] += 1;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= draws;
        }
        return p;
    }

    private int argmaxDraw(RandomGenerator rng, int exclude) {
        int best = -1;
        double top = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < shapeA.length; i++) {
            if (i == exclude) {
                continue;
            }
            double x;
            if (gaussian) {
                x = shapeA[i] + shapeB[i] * rng.nextGaussian();
            } else {
                double ga = Gamma.sample(rng, shapeA[i], dA[i], cA[i]);
                double gb = Gamma.sample(rng, shapeB[i], dB[i], cB[i]);
                x = ga / (ga + gb);
            }
            if (x > top || best < 0) {
                top = x;
                best = i;
            }
        }
        return best;
    }

    private void requireKind(boolean wantGaussian) {
        if (gaussian != wantGaussian) {
            throw new IllegalArgumentException("batch: " + (wantGaussian ? "continuous" : "binary")
                    + " (expected: " + (gaussian ? "continuous" : "binary") + " rewards for these arms)");
        }
    }

    private void checkBatch(Object[] batch) {
        Checks.notNull("batch", batch);
        if (batch.length != arms()) {
            throw new IllegalArgumentException("batch.length: " + batch.length + " (expected: arms " + arms() + ")");
        }
        for (int i = 0; i < batch.length; i++) {
            Checks.notNull("batch[" + i + "]", batch[i]);
        }
    }

    private void checkArm(int arm) {
        if (arm < 0 || arm >= arms()) {
            throw new IllegalArgumentException("arm: " + arm + " (expected: >= 0 and < " + arms() + ")");
        }
    }

    private static double square(double x) {
        return x * x;
    }
}
