package dev.vane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ContinuousStatsTest {

    @Test
    void mergeOfPartsEqualsTheSummaryOfTheWhole() {
        SplittableRandom rng = new SplittableRandom(1);
        double[] y = new double[1000];
        double[] x = new double[1000];
        for (int i = 0; i < y.length; i++) {
            x[i] = rng.nextGaussian();
            y[i] = 3 + 2 * x[i] + rng.nextGaussian();
        }
        ContinuousStats whole = ContinuousStats.ofValues(y, x);
        ContinuousStats merged = ContinuousStats.EMPTY;
        for (int start = 0; start < y.length; start += 137) {
            int end = Math.min(y.length, start + 137);
            merged = merged.merge(ContinuousStats.ofValues(java.util.Arrays.copyOfRange(y, start, end),
                    java.util.Arrays.copyOfRange(x, start, end)));
        }
        assertEquals(whole.count(), merged.count());
        assertEquals(whole.mean(), merged.mean(), 1e-12);
        assertEquals(whole.m2(), merged.m2(), 1e-9);
        assertEquals(whole.covariateM2(), merged.covariateM2(), 1e-9);
        assertEquals(whole.crossMoment(), merged.crossMoment(), 1e-9);
    }

    @Test
    void welfordUpdatesEqualTheTwoPassSummary() {
        double[] y = {4, 7, 13, 16};
        double[] x = {1, 2, 2, 5};
        ContinuousStats s = ContinuousStats.EMPTY;
        for (int i = 0; i < y.length; i++) {
            s = s.plus(y[i], x[i]);
        }
        ContinuousStats two = ContinuousStats.ofValues(y, x);
        assertEquals(two.mean(), s.mean(), 1e-15);
        assertEquals(30.0, s.variance(), 1e-12);
        assertEquals(two.covariance(), s.covariance(), 1e-12);
    }

    @Test
    void mergeStaysAccurateWithLargeOffsets() {
        // The textbook sum-of-squares formula loses every digit here; the centred moments do not.
        ContinuousStats a = ContinuousStats.ofValues(1e9 + 4, 1e9 + 7);
        ContinuousStats b = ContinuousStats.ofValues(1e9 + 13, 1e9 + 16);
        assertEquals(30.0, a.merge(b).variance(), 1e-6);
    }

    @Test
    void varianceIsZeroBelowTwoObservations() {
        assertEquals(0.0, ContinuousStats.EMPTY.variance());
        assertEquals(0.0, ContinuousStats.ofValues(5).variance());
    }

    @Test
    void fromSumsAndMeanAndSdAgreeWithRawValues() {
        ContinuousStats raw = ContinuousStats.ofValues(1, 2, 3, 4);
        ContinuousStats sums = ContinuousStats.fromSums(4, 10, 30);
        assertEquals(raw.variance(), sums.variance(), 1e-12);
        assertEquals(raw.variance(), ContinuousStats.ofMeanAndSd(4, 2.5, raw.standardDeviation()).variance(), 1e-12);
    }

    @Test
    void nanAndNegativeInputsAreRejectedWithTheirName() {
        assertEquals("values[1]: NaN (expected: finite)", assertThrows(IllegalArgumentException.class,
                () -> ContinuousStats.ofValues(1, Double.NaN)).getMessage());
        assertEquals("m2: -1.0 (expected: finite and >= 0)", assertThrows(IllegalArgumentException.class,
                () -> ContinuousStats.of(3, 1, -1)).getMessage());
        assertEquals("count: -2 (expected: >= 0)", assertThrows(IllegalArgumentException.class,
                () -> ContinuousStats.of(-2, 1, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ContinuousStats.EMPTY.plus(Double.POSITIVE_INFINITY));
    }
}
