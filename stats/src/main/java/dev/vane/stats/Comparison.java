package dev.vane.stats;

import dev.vane.stats.internal.BetaBinomial;
import dev.vane.stats.internal.Checks;
import dev.vane.stats.internal.Cuped;
import dev.vane.stats.internal.Gamma;
import dev.vane.stats.internal.MannWhitney;
import dev.vane.stats.internal.MixtureSprt;
import dev.vane.stats.internal.Normal;
import dev.vane.stats.internal.NormalPosterior;
import dev.vane.stats.internal.Proportions;
import dev.vane.stats.internal.WeightedSample;
import dev.vane.stats.internal.Welch;
import java.util.EnumSet;
import java.util.SplittableRandom;

/**
 * The entry point for experiment results: summaries in, immutable result records out.
 *
 * <p>Conventions everywhere: <b>control is the first argument</b>, {@code difference = treatment - control},
 * "better" means larger, tests are <b>two-sided by default</b> ({@link Options#alternative()}), intervals have
 * coverage 1 - alpha. Degenerate data (empty arm, zero variance, 0% or 100% conversion) never throws: the affected
 * numbers are NaN and {@link ComparisonResult#reasons()} says why. Misuse (negative counts, NaN inputs, alpha
 * outside (0, 1)) throws {@link IllegalArgumentException} naming the bad value. All methods are thread-safe.
 */
public final class Comparison {
    private Comparison() {}

    /** A single look at a binary metric; see {@link #compare(BinaryStats, BinaryStats, Options, SequentialState)}. */
    public static ComparisonResult compare(BinaryStats control, BinaryStats treatment, Options options) {
        return compare(control, treatment, options, SequentialState.INITIAL);
    }

    /**
     * Conversion rates: pooled two-proportion z-test, unpooled Wald interval of the difference, delta-method interval
     * of the relative lift, always-valid mSPRT update of {@code previous}, and the Beta(priorSuccesses +
     * successes, priorFailures + failures) posteriors: exact P(treatment &gt; control) and expected losses.
     * The mSPRT uses tau^2 = {@link Options#mixingVariance()} when set, else (sequentialEffectSize)^2 p(1 - p), p the
     * pooled rate.
     */
    public static ComparisonResult compare(BinaryStats control, BinaryStats treatment, Options options,
                                           SequentialState previous) {
        Checks.notNull("control", control);
        Checks.notNull("treatment", treatment);
        Checks.notNull("options", options);
        Checks.notNull("previous", previous);
        TestResult test = Proportions.zTest(control, treatment, options.alpha(), options.alternative());
        EnumSet<ReasonCode> why = EnumSet.noneOf(ReasonCode.class);
        why.addAll(test.reasons());

        double pc = control.rate();
        double pt = treatment.rate();
        double variance = Double.NaN;
        double tau2 = Double.NaN;
        if (control.exposures() > 0 && treatment.exposures() > 0) {
            variance = pc * (1 - pc) / control.exposures() + pt * (1 - pt) / treatment.exposures();
            double pooled = (double) (control.successes() + treatment.successes())
                    / ((double) control.exposures() + treatment.exposures());
            tau2 = options.mixingVarianceFor(pooled * (1 - pooled));
        }
        SequentialState sequential = sequentialLook(previous, test.difference(), variance, tau2, options, why);

        double aC = options.priorSuccesses() + control.successes();
        double bC = options.priorFailures() + control.failures();
        double aT = options.priorSuccesses() + treatment.successes();
        double bT = options.priorFailures() + treatment.failures();
        double level = 1 - options.alpha();
        return new ComparisonResult(MetricKind.BINARY, pc, pt, test.difference(), test.differenceInterval(),
                test.standardError(), test.criticalValue(), test.relativeLift(), test.relativeLiftInterval(),
                test.statistic(), test.degreesOfFreedom(), test.pValue(), sequential,
                BetaBinomial.probabilityGreater(aT, bT, aC, bC),
                BetaBinomial.expectedLoss(aT, bT, aC, bC),
                BetaBinomial.expectedLoss(aC, bC, aT, bT),
                BetaBinomial.credibleInterval(aC, bC, level), BetaBinomial.credibleInterval(aT, bT, level),
                0, why);
    }

    /** A single look at a continuous metric; see {@link #compare(ContinuousStats, ContinuousStats, Options, SequentialState)}. */
    public static ComparisonResult compare(ContinuousStats control, ContinuousStats treatment, Options options) {
        return compare(control, treatment, options, SequentialState.INITIAL);
    }

    /**
     * Means: CUPED adjustment when enabled and a covariate was recorded, Welch t-test and interval, delta-method
     * interval of the relative lift, always-valid mSPRT update of {@code previous} (tau^2 =
     * {@link Options#mixingVariance()} when set, else (sequentialEffectSize * pooled within-arm sd)^2), and the
     * normal approximation of the posterior (flat prior: mean ~ N(mean, s^2/n)) for P(treatment &gt; control),
     * expected losses and credible intervals.
     */
    public static ComparisonResult compare(ContinuousStats control, ContinuousStats treatment, Options options,
                                           SequentialState previous) {
        Checks.notNull("control", control);
        Checks.notNull("treatment", treatment);
        Checks.notNull("options", options);
        Checks.notNull("previous", previous);
        EnumSet<ReasonCode> why = EnumSet.noneOf(ReasonCode.class);
        double theta = 0;
        if (options.cuped()) {
            Cuped.Adjustment adj = Cuped.adjust(control, treatment);
            boolean recorded = control.covariateMean() != 0 || treatment.covariateMean() != 0
                    || control.covariateM2() != 0 || treatment.covariateM2() != 0;
            if (adj.theta() != 0) {
                theta = adj.theta();
                control = adj.control();
                treatment = adj.treatment();
            } else if (recorded) {
                why.add(ReasonCode.NO_COVARIATE_VARIANCE);
            }
        }
        TestResult test = Welch.test(control, treatment, options.alpha(), options.alternative());
        why.addAll(test.reasons());
        long nc = control.count();
        long nt = treatment.count();
        double variance = Double.NaN;
        double tau2 = Double.NaN;
        double probability = Double.NaN;
        double lossT = Double.NaN;
        double lossC = Double.NaN;
        Interval credC = Interval.UNDEFINED;
        Interval credT = Interval.UNDEFINED;
        if (nc >= 2 && nt >= 2) {
            double vc = control.variance() / nc;
            double vt = treatment.variance() / nt;
            variance = vc + vt;
            tau2 = options.mixingVarianceFor((control.m2() + treatment.m2()) / (nc + nt - 2));
            double m = test.difference();
            probability = NormalPosterior.probabilityGreater(m, variance);
            lossT = NormalPosterior.expectedLoss(m, variance);
            lossC = NormalPosterior.expectedLoss(-m, variance);
            double z = Normal.upperQuantile(options.alpha() / 2);
            credC = symmetric(control.mean(), z * Math.sqrt(vc));
            credT = symmetric(treatment.mean(), z * Math.sqrt(vt));
        }
        SequentialState sequential = sequentialLook(previous, test.difference(), variance, tau2, options, why);
        return new ComparisonResult(MetricKind.CONTINUOUS, control.mean(), treatment.mean(), test.difference(),
                test.differenceInterval(), test.standardError(), test.criticalValue(), test.relativeLift(),
                test.relativeLiftInterval(), test.statistic(), test.degreesOfFreedom(), test.pValue(), sequential,
                probability, lossT, lossC, credC, credT, theta, why);
    }

    /**
     * Mann-Whitney U test of raw samples (asymptotic, tie-corrected; SciPy's {@code method="asymptotic"}) and the
     * Hodges-Lehmann shift. For skewed metrics such as latency.
     *
     * @param continuity apply the 0.5 continuity correction
     */
    public static RankTestResult mannWhitney(double[] control, double[] treatment, boolean continuity,
                                             Alternative alternative) {
        return MannWhitney.test(WeightedSample.of(control), WeightedSample.of(treatment), continuity, alternative);
    }

    /**
     * Mann-Whitney U test of two latency histograms: each bucket's values are treated as tied at the bucket's
     * representative value, so the cost is O(buckets) at any traffic.
     */
    public static RankTestResult mannWhitney(LatencyStats control, LatencyStats treatment, boolean continuity,
                                             Alternative alternative) {
        Checks.notNull("control", control);
        Checks.notNull("treatment", treatment);
        return MannWhitney.test(control.toWeightedSample(), treatment.toWeightedSample(), continuity, alternative);
    }

    /** Pearson chi-square test of independence for k x 2 (arm x converted) tables, no continuity correction. */
    public static ChiSquareResult chiSquare(BinaryStats... arms) {
        return Proportions.chiSquare(arms);
    }

    /**
     * P(arm i has the highest conversion rate) under the Beta posteriors, estimated from
     * {@link Options#monteCarloDraws()} joint draws seeded with {@link Options#seed()} (standard error
     * &lt;= 0.5 / sqrt(draws)). Entries sum to 1.
     */
    public static double[] probabilityBest(BinaryStats[] arms, Options options) {
        Checks.notNull("arms", arms);
        Checks.notNull("options", options);
        Checks.atLeast("arms.length", arms.length, 1);
        int k = arms.length;
        double[] a = new double[k];
        double[] b = new double[k];
        for (int i = 0; i < k; i++) {
            Checks.notNull("arms[" + i + "]", arms[i]);
            a[i] = options.priorSuccesses() + arms[i].successes();
            b[i] = options.priorFailures() + arms[i].failures();
        }
        SplittableRandom rng = new SplittableRandom(options.seed());
        long[] wins = new long[k];
        for (int draw = 0; draw < options.monteCarloDraws(); draw++) {
            int best = 0;
            double top = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                double x = Gamma.beta(rng, a[i], b[i]);
                if (x > top) {
                    top = x;
                    best = i;
                }
            }
            wins[best]++;
        }
        return normalise(wins, options.monteCarloDraws());
    }

    /**
     * P(arm i has the highest mean) under the normal approximation mean_i ~ N(mean, s^2/n), by seeded Monte Carlo.
     * Arms with fewer than 2 observations have no posterior and get NaN; the others share probability 1.
     */
    public static double[] probabilityBest(ContinuousStats[] arms, Options options) {
        Checks.notNull("arms", arms);
        Checks.notNull("options", options);
        Checks.atLeast("arms.length", arms.length, 1);
        int k = arms.length;
        SplittableRandom rng = new SplittableRandom(options.seed());
        long[] wins = new long[k];
        for (int draw = 0; draw < options.monteCarloDraws(); draw++) {
            int best = -1;
            double top = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                ContinuousStats arm = arms[i];
                if (arm.count() < 2) {
                    continue;
                }
                double x = arm.mean() + rng.nextGaussian() * Math.sqrt(arm.variance() / arm.count());
                if (x > top) {
                    top = x;
                    best = i;
                }
            }
            if (best >= 0) {
                wins[best]++;
            }
        }
        double[] p = normalise(wins, options.monteCarloDraws());
        for (int i = 0; i < k; i++) {
            if (arms[i].count() < 2) {
                p[i] = Double.NaN;
            }
        }
        return p;
    }

    private static double[] normalise(long[] wins, int draws) {
        double[] p = new double[wins.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (double) wins[i] / draws;
        }
        return p;
    }

    private static SequentialState sequentialLook(SequentialState previous, double estimate, double variance,
                                                  double tau2, Options options, EnumSet<ReasonCode> why) {
        if (!(tau2 > 0)) {
            return new SequentialState(previous.looks() + 1, previous.pValue(), previous.interval());
        }
        MixtureSprt.Look look = MixtureSprt.look(previous, estimate, variance, tau2, options.alpha());
        if (look.emptyIntersection()) {
            why.add(ReasonCode.EMPTY_CONFIDENCE_SEQUENCE);
        }
        return look.state();
    }

    private static Interval symmetric(double centre, double half) {
        return new Interval(centre - half, centre + half);
    }
}
