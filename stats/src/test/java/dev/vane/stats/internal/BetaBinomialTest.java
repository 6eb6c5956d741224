package dev.vane.stats.internal;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.NUMERIC;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Reference: scipy_reference.py, integrating f_X(x) I_x(a2, b2) with mpmath at 40 digits (SciPy's adaptive
 * quadrature at double precision for the large-count cases).
 */
class BetaBinomialTest {

    private static void assertCase(double[] tc, double p, double lossT, double lossC, double tolerance) {
        double aT = tc[0];
        double bT = tc[1];
        double aC = tc[2];
        double bC = tc[3];
        assertNear(p, BetaBinomial.probabilityGreater(aT, bT, aC, bC), tolerance, "P(T > C)");
        assertNear(1 - p, BetaBinomial.probabilityGreater(aC, bC, aT, bT), tolerance, "P(C > T)");
        if (!Double.isNaN(lossT)) {
            assertNear(lossT, BetaBinomial.expectedLoss(aT, bT, aC, bC), tolerance, "loss T");
            assertNear(lossC, BetaBinomial.expectedLoss(aC, bC, aT, bT), tolerance, "loss C");
        }
    }

    @Test
    void smallCountsMatchHighPrecisionQuadrature() {
        assertCase(new double[] {13, 89, 9, 93}, 0.82159169292874, 0.004177782318092581, 0.04339346859260238,
                CLOSED_FORM);
    }

    @Test
    void zeroPercentConversionInBothArmsIsAToss() {
        assertCase(new double[] {1, 51, 1, 51}, 0.5, 0.009522031366691561, 0.009522031366691561, CLOSED_FORM);
    }

    @Test
    void hundredPercentConversionMatchesQuadrature() {
        assertCase(new double[] {21, 1, 20, 2}, 0.7560975609756098, 0.010570824524312896, 0.056025369978858354,
                CLOSED_FORM);
    }

    @Test
    void oneExposurePerArmMatchesQuadrature() {
        assertCase(new double[] {2, 1, 1, 2}, 0.8333333333333334, 0.03333333333333333, 0.36666666666666664,
                CLOSED_FORM);
    }

    @Test
    void halfIntegerJeffreysPriorFallsBackToNumericIntegration() {
        assertCase(new double[] {7.5, 43.5, 3.5, 47.5}, 0.9097590360736931, 0.0025752426440229363,
                0.08100661519304254, NUMERIC);
    }

    @Test
    void thousandsOfSuccessesMatchAdaptiveQuadrature() {
        assertCase(new double[] {1101, 8901, 1001, 9001}, 0.9894573544317088, Double.NaN, Double.NaN, CLOSED_FORM);
    }

    @Test
    void tenMillionExposuresMatchAdaptiveQuadrature() {
        assertCase(new double[] {502_001, 9_498_001, 500_001, 9_500_001}, 0.9798185280230067, Double.NaN, Double.NaN,
                NUMERIC);
    }

    @Test
    void credibleIntervalMatchesScipyBetaQuantiles() {
        var ci = BetaBinomial.credibleInterval(13, 89, 0.95);
        assertNear(0.07035018147341375, ci.low(), CLOSED_FORM);
        assertNear(0.19834506326357143, ci.high(), CLOSED_FORM);
    }

    @Test
    void closedFormAgreesWithSymmetryRoutesForRandomIntegerParameters() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int rep = 0; rep < 200; rep++) {
            double a1 = 1 + rng.nextInt(300);
            double b1 = 1 + rng.nextInt(300);
            double a2 = 1 + rng.nextInt(300);
            double b2 = 1 + rng.nextInt(300);
            double direct = BetaBinomial.probabilityGreater(a1, b1, a2, b2);
            double viaComplement = 1 - BetaBinomial.probabilityGreater(a2, b2, a1, b1);
            double viaReflection = BetaBinomial.probabilityGreater(b2, a2, b1, a1);
            assertEquals(direct, viaComplement, 1e-12);
            assertEquals(direct, viaReflection, 1e-12);
        }
    }
}
