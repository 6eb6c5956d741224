package dev.vane.stats.internal;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.stats.Alternative;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.Interval;
import dev.vane.stats.ReasonCode;
import dev.vane.stats.TestResult;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/** References: scipy_reference.py (ttest_ind, ttest_ind_from_stats) and r_reference.R (t.test intervals). */
class WelchTest {

    @Test
    void rawSamplesMatchScipyAndRTTest() {
        TestResult r = Welch.test(ContinuousStats.ofValues(ReferenceData.WELCH_C), ContinuousStats.ofValues(ReferenceData.WELCH_T),
                0.05, Alternative.TWO_SIDED);
        assertNear(1.2298611966473592, r.statistic(), CLOSED_FORM);
        assertNear(0.2245232426386461, r.pValue(), CLOSED_FORM);
        assertNear(49.838400017645682, r.degreesOfFreedom(), CLOSED_FORM);
        assertNear(-0.54755048169544274, r.differenceInterval().low(), CLOSED_FORM);
        assertNear(2.2767744816954414, r.differenceInterval().high(), CLOSED_FORM);
    }

    @Test
    void standardErrorAndCriticalValueMatchScipyAndRebuildTheInterval() {
        // conventions_reference.py: SE_WELCH, CRIT_WELCH_TWO_SIDED (t.isf(0.025, df)), WELCH_CI_LO / HI
        TestResult r = Welch.test(ContinuousStats.ofValues(ReferenceData.WELCH_C),
                ContinuousStats.ofValues(ReferenceData.WELCH_T), 0.05, Alternative.TWO_SIDED);
        assertNear(0.703015919485026, r.standardError(), CLOSED_FORM);
        assertNear(2.0087204891887542, r.criticalValue(), CLOSED_FORM);
        assertNear(-0.5475504816954453, r.difference() - r.criticalValue() * r.standardError(), CLOSED_FORM);
        assertNear(2.2767744816954405, r.difference() + r.criticalValue() * r.standardError(), CLOSED_FORM);
        assertNear(r.difference() / r.standardError(), r.statistic(), CLOSED_FORM);
    }

    @Test
    void tooFewObservationsOrConstantArmsLeaveTheCriticalValueUndefined() {
        TestResult few = Welch.test(ContinuousStats.ofValues(1.0), ContinuousStats.ofValues(1.0, 2.0), 0.05,
                Alternative.TWO_SIDED);
        assertTrue(Double.isNaN(few.standardError()));
        assertTrue(Double.isNaN(few.criticalValue()));
        TestResult constant = Welch.test(ContinuousStats.ofValues(3, 3, 3), ContinuousStats.ofValues(4, 4), 0.05,
                Alternative.TWO_SIDED);
        assertEquals(0.0, constant.standardError());
        assertTrue(Double.isNaN(constant.criticalValue()));
    }

    @Test
    void oneSidedTestAndIntervalMatchScipyAndR() {
        ContinuousStats c = ContinuousStats.ofValues(ReferenceData.WELCH_C);
        ContinuousStats t = ContinuousStats.ofValues(ReferenceData.WELCH_T);
        assertNear(0.11226162131932305, Welch.test(c, t, 0.05, Alternative.GREATER).pValue(), CLOSED_FORM);
        Interval ci = Welch.test(c, t, 0.10, Alternative.GREATER).differenceInterval();
        assertNear(-0.048444054960641872, ci.low(), CLOSED_FORM);
        assertEquals(Double.POSITIVE_INFINITY, ci.high());
    }

    @Test
    void summariesOfTenMillionUnitsMatchScipyDownToTinyPValues() {
        TestResult r = Welch.test(ContinuousStats.ofMeanAndSd(9_000_000, 20.0, 4.0),
                ContinuousStats.ofMeanAndSd(10_000_000, 20.05, 4.1), 0.05, Alternative.TWO_SIDED);
        assertNear(26.884915407628363, r.statistic(), CLOSED_FORM);
        assertNear(3.319765032477919e-159, r.pValue(), 1e-8);
    }

    @Test
    void twoAndThreeObservationsMatchScipy() {
        TestResult r = Welch.test(ContinuousStats.ofValues(0.5, 1.0), ContinuousStats.ofValues(1.0, 2.5, 4.0), 0.05,
                Alternative.TWO_SIDED);
        assertNear(1.9414506867883021, r.statistic(), CLOSED_FORM);
        assertNear(0.17408868999677335, r.pValue(), CLOSED_FORM);
    }

    @Test
    void oneObservationInAnArmIsTooFewNotAnException() {
        TestResult r = Welch.test(ContinuousStats.ofValues(1.0), ContinuousStats.ofValues(1.0, 2.0), 0.05, Alternative.TWO_SIDED);
        assertTrue(Double.isNaN(r.pValue()));
        assertEquals(Set.of(ReasonCode.TOO_FEW_OBSERVATIONS), r.reasons());
        assertEquals(Set.of(ReasonCode.EMPTY_ARM),
                Welch.test(ContinuousStats.EMPTY, ContinuousStats.ofValues(1.0, 2.0), 0.05, Alternative.TWO_SIDED).reasons());
    }

    @Test
    void constantArmsAreZeroVariance() {
        TestResult same = Welch.test(ContinuousStats.ofValues(3, 3, 3), ContinuousStats.ofValues(3, 3), 0.05,
                Alternative.TWO_SIDED);
        assertEquals(1.0, same.pValue());
        assertTrue(same.reasons().contains(ReasonCode.ZERO_VARIANCE));
        TestResult apart = Welch.test(ContinuousStats.ofValues(3, 3, 3), ContinuousStats.ofValues(4, 4), 0.05,
                Alternative.TWO_SIDED);
        assertEquals(1.0, apart.difference());
        assertEquals(Double.POSITIVE_INFINITY, apart.statistic());
        assertEquals(0.0, apart.pValue());
        assertEquals(new Interval(1, 1), apart.differenceInterval());
        assertEquals(new Interval(4 / 3.0 - 1, 4 / 3.0 - 1), apart.relativeLiftInterval());
        assertTrue(apart.reasons().contains(ReasonCode.ZERO_VARIANCE));
    }

    @Test
    void constantArmsApartFollowTheOneSidedAlternative() {
        ContinuousStats c = ContinuousStats.ofValues(3, 3, 3);
        ContinuousStats t = ContinuousStats.ofValues(4, 4);
        TestResult greater = Welch.test(c, t, 0.05, Alternative.GREATER);
        assertEquals(0.0, greater.pValue());
        assertEquals(new Interval(1, Double.POSITIVE_INFINITY), greater.differenceInterval());
        TestResult less = Welch.test(c, t, 0.05, Alternative.LESS);
        assertEquals(1.0, less.pValue());
        assertEquals(new Interval(Double.NEGATIVE_INFINITY, 1), less.differenceInterval());
        TestResult lower = Welch.test(t, c, 0.05, Alternative.TWO_SIDED);
        assertEquals(Double.NEGATIVE_INFINITY, lower.statistic());
        assertEquals(0.0, lower.pValue());
        assertEquals(new Interval(-1, -1), lower.differenceInterval());
    }

    @Test
    void pValuesAreUniformUnderTheNull() {
        SplittableRandom rng = new SplittableRandom(11);
        double[] p = new double[2000];
        for (int rep = 0; rep < p.length; rep++) {
            ContinuousStats c = ContinuousStats.EMPTY;
            ContinuousStats t = ContinuousStats.EMPTY;
            for (int i = 0; i < 30; i++) {
                c = c.plus(rng.nextGaussian());
                t = t.plus(3 * rng.nextGaussian());
            }
            p[rep] = Welch.test(c, t, 0.05, Alternative.TWO_SIDED).pValue();
        }
        double ks = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new UniformRealDistribution(0, 1), p);
        assertTrue(ks > 0.01, "KS p-value " + ks);
    }
}
