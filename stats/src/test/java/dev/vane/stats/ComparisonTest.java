package dev.vane.stats;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.stats.internal.ReferenceData;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * End-to-end checks of the public entry point. References: r_reference.R and scipy_reference.py next to the tests;
 * the engines' own tests cover each method in depth.
 */
class ComparisonTest {
    private static final Options DEFAULTS = Options.defaults();

    @Test
    void binaryComparisonCombinesZTestWaldLiftAndExactPosterior() {
        ComparisonResult r = Comparison.compare(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130), DEFAULTS);
        assertEquals(MetricKind.BINARY, r.kind());
        assertNear(0.1, r.controlMean(), CLOSED_FORM);
        assertNear(0.13, r.treatmentMean(), CLOSED_FORM);
        assertNear(0.035488450466474711, r.pValue(), CLOSED_FORM);
        assertNear(0.0020679344393763725, r.differenceInterval().low(), CLOSED_FORM);
        assertNear(-0.01917939771358716, r.relativeLiftInterval().low(), CLOSED_FORM);
        assertEquals(Double.POSITIVE_INFINITY, r.degreesOfFreedom());
        assertTrue(r.reasons().isEmpty());
        assertTrue(r.probabilityTreatmentBetter() > 0.98);
        assertTrue(r.expectedLossTreatment() < r.expectedLossControl());
    }

    @Test
    void comparisonsCarryTheStandardErrorAndCriticalValueOfTheirInterval() {
        // conventions_reference.py: SE_BIN, CRIT_Z_TWO_SIDED, SE_WELCH, CRIT_WELCH_TWO_SIDED
        ComparisonResult binary = Comparison.compare(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130), DEFAULTS);
        assertNear(0.014251315728731857, binary.standardError(), CLOSED_FORM);
        assertNear(1.9599639845400545, binary.criticalValue(), CLOSED_FORM);
        ComparisonResult continuous = Comparison.compare(ContinuousStats.ofValues(ReferenceData.WELCH_C),
                ContinuousStats.ofValues(ReferenceData.WELCH_T), DEFAULTS);
        assertNear(0.703015919485026, continuous.standardError(), CLOSED_FORM);
        assertNear(2.0087204891887542, continuous.criticalValue(), CLOSED_FORM);
        assertNear(continuous.difference() + continuous.criticalValue() * continuous.standardError(),
                continuous.differenceInterval().high(), CLOSED_FORM);
    }

    @Test
    void binaryPosteriorMatchesQuadratureWithUniformPrior() {
        ComparisonResult r = Comparison.compare(BinaryStats.of(100, 8), BinaryStats.of(100, 12), DEFAULTS);
        assertNear(0.82159169292874, r.probabilityTreatmentBetter(), CLOSED_FORM);
        assertNear(0.004177782318092581, r.expectedLossTreatment(), CLOSED_FORM);
        assertNear(0.04339346859260238, r.expectedLossControl(), CLOSED_FORM);
        assertNear(0.07035018147341375, r.treatmentCredibleInterval().low(), CLOSED_FORM);
        assertNear(0.19834506326357143, r.treatmentCredibleInterval().high(), CLOSED_FORM);
    }

    @Test
    void binarySequentialLookMatchesTheMixtureFormula() {
        ComparisonResult r = Comparison.compare(BinaryStats.of(10_000, 1000), BinaryStats.of(10_000, 1100), DEFAULTS);
        assertEquals(1, r.sequential().looks());
        assertNear(0.5258264918019769, r.sequential().pValue(), CLOSED_FORM);
        assertNear(0.01 - 0.013791004393641233, r.sequential().interval().low(), CLOSED_FORM);
        assertTrue(r.sequential().pValue() > r.pValue(), "always-valid p is the more conservative");
    }

    @Test
    void aMixingVarianceSetDirectlyReplacesTheEffectSizeForBinaryAndContinuousMetrics() {
        // conventions_reference.py (mpmath, 40 digits): MSPRT_TAU2_BIN_*, MSPRT_TAU2_CONT_*
        Options tau2 = DEFAULTS.withMixingVariance(1e-4);
        ComparisonResult binary = Comparison.compare(BinaryStats.of(10_000, 1000), BinaryStats.of(10_000, 1100), tau2);
        assertNear(0.2676532900875319, binary.sequential().pValue(), CLOSED_FORM);
        assertNear(0.01 - 0.013224723616962163, binary.sequential().interval().low(), CLOSED_FORM);
        assertNear(0.01 + 0.013224723616962163, binary.sequential().interval().high(), CLOSED_FORM);
        ComparisonResult continuous = Comparison.compare(ContinuousStats.ofMeanAndSd(5000, 10.0, 4.0),
                ContinuousStats.ofMeanAndSd(4000, 10.3, 5.0), DEFAULTS.withMixingVariance(0.25));
        assertNear(0.0532804233897115, continuous.sequential().pValue(), CLOSED_FORM);
        assertNear(0.3020702191402818, continuous.sequential().interval().high() - continuous.difference(),
                CLOSED_FORM);
        // the same looks with the default effect size differ (binary: MSPRT_BIN_P in scipy_reference.py)
        assertNear(0.5258264918019769, Comparison.compare(BinaryStats.of(10_000, 1000),
                BinaryStats.of(10_000, 1100), DEFAULTS).sequential().pValue(), CLOSED_FORM);
    }

    @Test
    void continuousComparisonAppliesCupedWhenACovariateIsPresent() {
        ContinuousStats c = ContinuousStats.ofValues(ReferenceData.CUPED_YC, ReferenceData.CUPED_XC);
        ContinuousStats t = ContinuousStats.ofValues(ReferenceData.CUPED_YT, ReferenceData.CUPED_XT);
        ComparisonResult adjusted = Comparison.compare(c, t, DEFAULTS);
        assertNear(0.8235514005144381, adjusted.cupedTheta(), CLOSED_FORM);
        assertNear(0.5058407644380472, adjusted.difference(), CLOSED_FORM);
        assertNear(0.0005821150395148306, adjusted.pValue(), CLOSED_FORM);
        ComparisonResult raw = Comparison.compare(c, t, DEFAULTS.withCuped(false));
        assertEquals(0.0, raw.cupedTheta());
        assertNear(0.14190581361858962, raw.pValue(), CLOSED_FORM);
    }

    @Test
    void continuousComparisonWithoutCovariateIsAPlainWelchTest() {
        ComparisonResult r = Comparison.compare(ContinuousStats.ofValues(ReferenceData.WELCH_C),
                ContinuousStats.ofValues(ReferenceData.WELCH_T), DEFAULTS);
        assertEquals(MetricKind.CONTINUOUS, r.kind());
        assertNear(0.2245232426386461, r.pValue(), CLOSED_FORM);
        assertNear(49.838400017645682, r.degreesOfFreedom(), CLOSED_FORM);
        assertTrue(r.reasons().isEmpty());
        assertTrue(r.probabilityTreatmentBetter() > 0.5);
    }

    @Test
    void constantCovariateIsReportedAndIgnored() {
        ContinuousStats c = ContinuousStats.ofValues(new double[] {1, 2, 3}, new double[] {4, 4, 4});
        ContinuousStats t = ContinuousStats.ofValues(new double[] {2, 3, 5}, new double[] {4, 4, 4});
        ComparisonResult r = Comparison.compare(c, t, DEFAULTS);
        assertTrue(r.reasons().contains(ReasonCode.NO_COVARIATE_VARIANCE));
        assertEquals(0.0, r.cupedTheta());
    }

    @Test
    void emptyArmGivesReasonsAndPriorOnlyPosteriorWithoutThrowing() {
        ComparisonResult r = Comparison.compare(BinaryStats.EMPTY, BinaryStats.of(50, 5), DEFAULTS);
        assertTrue(r.reasons().contains(ReasonCode.EMPTY_ARM));
        assertTrue(Double.isNaN(r.pValue()));
        assertEquals(1.0, r.sequential().pValue());
        assertFalse(Double.isNaN(r.probabilityTreatmentBetter()));
    }

    @Test
    void singleObservationContinuousArmIsTooFew() {
        ComparisonResult r = Comparison.compare(ContinuousStats.ofValues(3), ContinuousStats.ofValues(1, 2), DEFAULTS);
        assertTrue(r.reasons().contains(ReasonCode.TOO_FEW_OBSERVATIONS));
        assertTrue(Double.isNaN(r.probabilityTreatmentBetter()));
        assertEquals(1.0, r.sequential().pValue());
    }

    @Test
    void allConvertedInBothArmsIsZeroVarianceWithPValueOne() {
        ComparisonResult r = Comparison.compare(BinaryStats.of(40, 40), BinaryStats.of(40, 40), DEFAULTS);
        assertEquals(1.0, r.pValue());
        assertTrue(r.reasons().contains(ReasonCode.ZERO_VARIANCE));
        assertNear(0.5, r.probabilityTreatmentBetter(), CLOSED_FORM);
    }

    @Test
    void probabilityBestAmongThreeArmsMatchesQuadratureWithinMonteCarloError() {
        BinaryStats[] arms = {BinaryStats.of(1000, 100), BinaryStats.of(1000, 110), BinaryStats.of(1000, 95)};
        double[] p = Comparison.probabilityBest(arms, DEFAULTS.withMonteCarlo(40_000, 1));
        double[] expected = {0.20432178467473092, 0.702741504724113, 0.09293671060115692};
        assertArrayEquals(expected, p, 0.012); // > 5 standard errors of 40,000 draws
        assertArrayEquals(p, Comparison.probabilityBest(arms, DEFAULTS.withMonteCarlo(40_000, 1)), 0.0);
    }

    @Test
    void probabilityBestForContinuousArmsSkipsArmsWithoutVariance() {
        ContinuousStats[] arms = {ContinuousStats.ofMeanAndSd(1000, 1.0, 1.0),
            ContinuousStats.ofMeanAndSd(1000, 1.2, 1.0), ContinuousStats.ofValues(5)};
        double[] p = Comparison.probabilityBest(arms, DEFAULTS.withMonteCarlo(20_000, 3));
        assertTrue(p[1] > 0.99);
        assertTrue(Double.isNaN(p[2]));
        assertEquals(1.0, p[0] + p[1], 1e-12);
    }

    @Test
    void latencyHistogramsAreComparedByRank() {
        LatencyStats c = LatencyStats.ofValues(100, 120, 130, 150, 170, 200, 210, 250, 300, 400, 420, 500);
        LatencyStats t = LatencyStats.ofValues(140, 180, 220, 260, 320, 380, 450, 520, 600, 640, 700, 800);
        RankTestResult r = Comparison.mannWhitney(c, t, true, Alternative.GREATER);
        RankTestResult raw = Comparison.mannWhitney(
                new double[] {100, 120, 130, 150, 170, 200, 210, 250, 300, 400, 420, 500},
                new double[] {140, 180, 220, 260, 320, 380, 450, 520, 600, 640, 700, 800}, true, Alternative.GREATER);
        assertEquals(raw.u(), r.u()); // bucket rounding keeps the order of these values
        assertTrue(r.pValue() < 0.05);
    }

    @Test
    void misuseNamesTheBadValue() {
        assertEquals("alpha: 1.5 (expected: > 0 and < 1)", assertThrows(IllegalArgumentException.class,
                () -> DEFAULTS.withAlpha(1.5)).getMessage());
        assertEquals("control: null (expected: non-null)", assertThrows(IllegalArgumentException.class,
                () -> Comparison.compare((BinaryStats) null, BinaryStats.EMPTY, DEFAULTS)).getMessage());
    }

    /**
     * Continuous peeking: 400 null experiments, a look after every 200 users per arm up to 10,000. The naive
     * fixed-horizon z-test "finds" an effect in far more than 5% of them; the always-valid p-value in at most 5%.
     */
    @Test
    void alwaysValidPValueKeepsTheFalsePositiveRateUnderPeekingWhileNaiveZTestDoesNot() {
        SplittableRandom rng = new SplittableRandom(2024);
        int reps = 400;
        int naive = 0;
        int valid = 0;
        for (int rep = 0; rep < reps; rep++) {
            BinaryStats c = BinaryStats.EMPTY;
            BinaryStats t = BinaryStats.EMPTY;
            SequentialState state = SequentialState.INITIAL;
            boolean naiveRejected = false;
            for (int look = 0; look < 50; look++) {
                c = c.merge(binomial(rng, 200, 0.1));
                t = t.merge(binomial(rng, 200, 0.1));
                ComparisonResult r = Comparison.compare(c, t, DEFAULTS, state);
                state = r.sequential();
                naiveRejected |= r.pValue() < 0.05;
            }
            naive += naiveRejected ? 1 : 0;
            valid += state.pValue() < 0.05 ? 1 : 0;
        }
        assertTrue(naive > 0.15 * reps, "naive rejections " + naive);
        assertTrue(valid <= 0.05 * reps, "always-valid rejections " + valid);
    }

    @Test
    void alwaysValidPValueKeepsTheFalsePositiveRateForContinuousMetrics() {
        SplittableRandom rng = new SplittableRandom(77);
        int reps = 400;
        int naive = 0;
        int valid = 0;
        for (int rep = 0; rep < reps; rep++) {
            ContinuousStats c = ContinuousStats.EMPTY;
            ContinuousStats t = ContinuousStats.EMPTY;
            SequentialState state = SequentialState.INITIAL;
            boolean naiveRejected = false;
            for (int look = 0; look < 50; look++) {
                for (int i = 0; i < 50; i++) {
                    c = c.plus(10 + 2 * rng.nextGaussian());
                    t = t.plus(10 + 2 * rng.nextGaussian());
                }
                ComparisonResult r = Comparison.compare(c, t, DEFAULTS, state);
                state = r.sequential();
                naiveRejected |= r.pValue() < 0.05;
            }
            naive += naiveRejected ? 1 : 0;
            valid += state.pValue() < 0.05 ? 1 : 0;
        }
        assertTrue(naive > 0.15 * reps, "naive rejections " + naive);
        assertTrue(valid <= 0.05 * reps, "always-valid rejections " + valid);
    }

    @Test
    void alwaysValidTestDetectsARealEffect() {
        SplittableRandom rng = new SplittableRandom(9);
        BinaryStats c = BinaryStats.EMPTY;
        BinaryStats t = BinaryStats.EMPTY;
        SequentialState state = SequentialState.INITIAL;
        for (int look = 0; look < 50; look++) {
            c = c.merge(binomial(rng, 1000, 0.10));
            t = t.merge(binomial(rng, 1000, 0.12));
            state = Comparison.compare(c, t, DEFAULTS, state).sequential();
        }
        assertTrue(state.pValue() < 0.05, "p " + state.pValue());
        assertTrue(state.interval().contains(0.02), "interval " + state.interval());
    }

    private static BinaryStats binomial(SplittableRandom rng, int n, double rate) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            if (rng.nextDouble() < rate) {
                s++;
            }
        }
        return BinaryStats.of(n, s);
    }
}
