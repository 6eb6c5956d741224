package dev.vane.stats.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Differential test: the O(n log) search against sorting all pairwise differences. */
class HodgesLehmannTest {

    private static double bruteForce(double[] c, double[] t) {
        double[] d = new double[c.length * t.length];
        int k = 0;
        for (double y : t) {
            for (double x : c) {
                d[k++] = y - x;
            }
        }
        Arrays.sort(d);
        int m = d.length;
        return m % 2 == 1 ? d[m / 2] : d[m / 2 - 1] + (d[m / 2] - d[m / 2 - 1]) / 2;
    }

    @Test
    void equalsTheMedianOfAllPairwiseDifferencesOnRandomSamples() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int rep = 0; rep < 300; rep++) {
            int nc = 1 + rng.nextInt(40);
            int nt = 1 + rng.nextInt(40);
            boolean ties = rep % 3 == 0;
            double[] c = new double[nc];
            double[] t = new double[nt];
            for (int i = 0; i < nc; i++) {
                c[i] = ties ? rng.nextInt(5) : rng.nextGaussian() * 10;
            }
            for (int i = 0; i < nt; i++) {
                t[i] = ties ? rng.nextInt(6) : rng.nextGaussian() * 10 + 1;
            }
            assertEquals(bruteForce(c, t), HodgesLehmann.shift(WeightedSample.of(c), WeightedSample.of(t)), 0.0,
                    "rep " + rep);
        }
    }

    @Test
    void singleObservationsGiveTheirDifference() {
        assertEquals(-2.5, HodgesLehmann.shift(WeightedSample.of(new double[] {3}), WeightedSample.of(new double[] {0.5})));
    }
}
