package dev.vane.stats.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.junit.jupiter.api.Test;

/** Distribution checks of the Marsaglia-Tsang sampler against Commons Statistics' CDFs (KS test). */
class GammaTest {

    private static void assertBetaDraws(double a, double b, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[5000];
        for (int i = 0; i < x.length; i++) {
            x[i] = Gamma.beta(rng, a, b);
        }
        BetaDistribution d = BetaDistribution.of(a, b);
        org.apache.commons.math3.distribution.BetaDistribution ref =
                new org.apache.commons.math3.distribution.BetaDistribution(a, b);
        double p = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(ref, x);
        assertTrue(p > 0.001, "Beta(" + a + ", " + b + ") KS p-value " + p + " mean " + d.getMean());
    }

    @Test
    void betaDrawsFollowTheBetaDistributionForSmallAndLargeShapes() {
        assertBetaDraws(0.5, 0.5, 1);
        assertBetaDraws(1, 1, 2);
        assertBetaDraws(3, 40, 3);
        assertBetaDraws(5_000, 95_000, 4);
    }

    @Test
    void sameSeedGivesTheSameDraws() {
        assertEquals(Gamma.sample(new SplittableRandom(9), 2.5), Gamma.sample(new SplittableRandom(9), 2.5));
    }
}
