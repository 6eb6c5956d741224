package dev.vane.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Reference: r_reference.R (p.adjust). */
class MultipleTestingTest {
    private static final double[] P = {0.01, 0.04, 0.03, 0.005, 0.20, 0.049, 1e-15, 0.5};

    @Test
    void holmMatchesRPAdjust() {
        assertArrayEquals(new double[] {0.06, 0.16, 0.15, 0.035, 0.4, 0.16, 8e-15, 0.5},
                MultipleTesting.holm(P), 1e-15);
    }

    @Test
    void benjaminiHochbergMatchesRPAdjust() {
        assertArrayEquals(new double[] {0.026666666666666665, 0.064, 0.06, 0.02, 0.22857142857142856,
            0.065333333333333327, 8e-15, 0.5}, MultipleTesting.benjaminiHochberg(P), 1e-15);
    }

    @Test
    void emptyAndSingleInputsAreReturnedAsIs() {
        assertEquals(0, MultipleTesting.holm().length);
        assertArrayEquals(new double[] {0.3}, MultipleTesting.benjaminiHochberg(0.3));
    }

    @Test
    void pValuesOutsideZeroToOneAreMisuse() {
        assertEquals("pValues[1]: NaN (expected: >= 0 and <= 1)", assertThrows(IllegalArgumentException.class,
                () -> MultipleTesting.holm(0.1, Double.NaN)).getMessage());
    }
}
