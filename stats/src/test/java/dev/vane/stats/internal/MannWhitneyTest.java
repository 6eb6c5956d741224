package dev.vane.stats.internal;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.stats.Alternative;
import dev.vane.stats.RankTestResult;
import dev.vane.stats.ReasonCode;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/**
 * References: scipy_reference.py (scipy.stats.mannwhitneyu(treatment, control, method="asymptotic")); the signed z,
 * which SciPy does not return, from mann_whitney_sign.py (by hand, stdlib only, its U and p checked against SciPy).
 */
class MannWhitneyTest {

    private static RankTestResult run(double[] c, double[] t, boolean cc, Alternative alt) {
        return MannWhitney.test(WeightedSample.of(c), WeightedSample.of(t), cc, alt);
    }

    @Test
    void heavyTiesMatchScipyWithAndWithoutContinuityCorrection() {
        double[] c = ReferenceData.TIES_C;
        double[] t = ReferenceData.TIES_T;
        assertEquals(937.0, run(c, t, true, Alternative.TWO_SIDED).u());
        assertNear(0.010604923571422068, run(c, t, true, Alternative.TWO_SIDED).pValue(), CLOSED_FORM);
        assertNear(0.005302461785711034, run(c, t, true, Alternative.GREATER).pValue(), CLOSED_FORM);
        assertNear(0.9948599096217964, run(c, t, true, Alternative.LESS).pValue(), CLOSED_FORM);
        assertNear(0.010441428946238823, run(c, t, false, Alternative.TWO_SIDED).pValue(), CLOSED_FORM);
        assertNear(0.005220714473119411, run(c, t, false, Alternative.GREATER).pValue(), CLOSED_FORM);
        assertNear(0.9947792855268806, run(c, t, false, Alternative.LESS).pValue(), CLOSED_FORM);
        assertEquals(1.0, run(c, t, true, Alternative.TWO_SIDED).hodgesLehmannShift());
    }

    @Test
    void skewedSamplesMatchScipy() {
        double[] c = ReferenceData.SKEW_C;
        double[] t = ReferenceData.SKEW_T;
        assertEquals(1463.0, run(c, t, true, Alternative.TWO_SIDED).u());
        assertNear(0.466329355412448, run(c, t, true, Alternative.TWO_SIDED).pValue(), CLOSED_FORM);
        assertNear(0.233164677706224, run(c, t, true, Alternative.GREATER).pValue(), CLOSED_FORM);
        assertNear(0.768811871038499, run(c, t, true, Alternative.LESS).pValue(), CLOSED_FORM);
        assertNear(0.46435046547581105, run(c, t, false, Alternative.TWO_SIDED).pValue(), CLOSED_FORM);
        assertNear(0.23217523273790552, run(c, t, false, Alternative.GREATER).pValue(), CLOSED_FORM);
        assertNear(0.7678247672620945, run(c, t, false, Alternative.LESS).pValue(), CLOSED_FORM);
        assertNear(1.7780000000000005, run(c, t, true, Alternative.TWO_SIDED).hodgesLehmannShift(), CLOSED_FORM);
    }

    // mann_whitney_sign.py: the treatment tends to be smaller than the control, with ties
    private static final double[] SIGN_C = {12, 15, 15, 18, 20, 22, 22, 22, 25, 30, 31, 40};
    private static final double[] SIGN_T = {10, 11, 12, 14, 15, 15, 17, 18, 19, 22, 23};

    @Test
    void zIsNegativeWhenTheTreatmentIsSmallerForEveryAlternative() {
        assertSigned(-2.165904474149816, 0.030318487352171353, run(SIGN_C, SIGN_T, true, Alternative.TWO_SIDED));
        assertSigned(-2.2277874591255253, 0.9870526542345934, run(SIGN_C, SIGN_T, true, Alternative.GREATER));
        assertSigned(-2.165904474149816, 0.015159243676085676, run(SIGN_C, SIGN_T, true, Alternative.LESS));
        assertSigned(-2.1968459666376705, 0.028031448928603542, run(SIGN_C, SIGN_T, false, Alternative.TWO_SIDED));
        assertSigned(-2.1968459666376705, 0.9859842755356982, run(SIGN_C, SIGN_T, false, Alternative.GREATER));
        assertSigned(-2.1968459666376705, 0.014015724464301715, run(SIGN_C, SIGN_T, false, Alternative.LESS));
    }

    @Test
    void swappingTheArmsFlipsTheSignOfTheTwoSidedZAndKeepsItsPValue() {
        RankTestResult forward = run(SIGN_C, SIGN_T, true, Alternative.TWO_SIDED);
        RankTestResult swapped = run(SIGN_T, SIGN_C, true, Alternative.TWO_SIDED);
        assertEquals(12 * 11 - 30.5, swapped.u());
        assertNear(2.165904474149816, swapped.z(), CLOSED_FORM);
        assertEquals(-forward.z(), swapped.z());
        assertEquals(forward.pValue(), swapped.pValue());
        assertTrue(run(ReferenceData.TIES_C, ReferenceData.TIES_T, true, Alternative.TWO_SIDED).z() > 0,
                "TIES: treatment larger (U = 937 > 700)");
    }

    @Test
    void uAtItsNullMeanGivesZZeroAndPValueOne() {
        RankTestResult r = run(new double[] {1, 4}, new double[] {2, 3}, true, Alternative.TWO_SIDED);
        assertEquals(2.0, r.u());
        assertEquals(0.0, r.z());
        assertEquals(1.0, r.pValue());
    }

    private static void assertSigned(double z, double p, RankTestResult r) {
        assertEquals(30.5, r.u());
        assertNear(z, r.z(), CLOSED_FORM, "z");
        assertNear(p, r.pValue(), CLOSED_FORM, "p");
    }

    @Test
    void allValuesTiedIsZeroVarianceWithPValueOne() {
        RankTestResult r = run(new double[] {2, 2, 2}, new double[] {2, 2}, true, Alternative.TWO_SIDED);
        assertEquals(1.0, r.pValue());
        assertEquals(3.0, r.u());
        assertEquals(0.0, r.hodgesLehmannShift());
        assertTrue(r.reasons().contains(ReasonCode.ZERO_VARIANCE));
    }

    @Test
    void emptyArmIsAReasonNotAnException() {
        RankTestResult r = run(new double[0], new double[] {1, 2}, true, Alternative.TWO_SIDED);
        assertTrue(Double.isNaN(r.pValue()));
        assertTrue(r.reasons().contains(ReasonCode.EMPTY_ARM));
    }

    @Test
    void pValuesAreUniformUnderTheNull() {
        SplittableRandom rng = new SplittableRandom(5);
        double[] p = new double[2000];
        for (int rep = 0; rep < p.length; rep++) {
            double[] c = new double[40];
            double[] t = new double[35];
            for (int i = 0; i < c.length; i++) {
                c[i] = Math.exp(rng.nextGaussian());
            }
            for (int i = 0; i < t.length; i++) {
                t[i] = Math.exp(rng.nextGaussian());
            }
            p[rep] = run(c, t, false, Alternative.TWO_SIDED).pValue();
        }
        double ks = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new UniformRealDistribution(0, 1), p);
        assertTrue(ks > 0.01, "KS p-value " + ks);
    }
}
