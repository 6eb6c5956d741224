package dev.vane.stats.internal;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.stats.Alternative;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.ChiSquareResult;
import dev.vane.stats.Interval;
import dev.vane.stats.ReasonCode;
import dev.vane.stats.TestResult;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/** References: src/test/resources/reference/r_reference.R (prop.test) and scipy_reference.py (chi2_contingency). */
class ProportionsTest {

    private static void assertZ(TestResult r, double z, double p, double lo, double hi) {
        assertNear(z, r.statistic(), CLOSED_FORM, "z");
        assertNear(p, r.pValue(), CLOSED_FORM, "p");
        if (Double.isFinite(r.differenceInterval().low())) {
            assertNear(lo, r.differenceInterval().low(), CLOSED_FORM, "low");
        }
        if (Double.isFinite(r.differenceInterval().high())) {
            assertNear(hi, r.differenceInterval().high(), CLOSED_FORM, "high");
        }
    }

    @Test
    void twoSidedZTestMatchesRPropTest() {
        TestResult r = Proportions.zTest(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130), 0.05,
                Alternative.TWO_SIDED);
        assertZ(r, 2.1027406056221145, 0.035488450466474711, 0.0020679344393763725, 0.057932065560623622);
        assertNear(0.03, r.difference(), CLOSED_FORM);
        assertTrue(r.reasons().isEmpty());
    }

    @Test
    void oneSidedZTestsMatchRPropTestAndOpenTheOtherSide() {
        TestResult greater = Proportions.zTest(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130), 0.05,
                Alternative.GREATER);
        assertZ(greater, 2.1027406056221145, 0.017744225233237335, 0.0065586716347648504, 0);
        assertEquals(Double.POSITIVE_INFINITY, greater.differenceInterval().high());
        TestResult less = Proportions.zTest(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130), 0.05,
                Alternative.LESS);
        assertZ(less, 2.1027406056221145, 0.98225577476676262, 0, 0.053441328365235144);
        assertEquals(Double.NEGATIVE_INFINITY, less.differenceInterval().low());
    }

    @Test
    void relativeLiftIntervalIsTheDeltaMethodInterval() {
        TestResult r = Proportions.zTest(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130), 0.05,
                Alternative.TWO_SIDED);
        assertNear(0.3, r.relativeLift(), CLOSED_FORM);
        assertNear(-0.01917939771358716, r.relativeLiftInterval().low(), CLOSED_FORM);
        assertNear(0.6191793977135872, r.relativeLiftInterval().high(), CLOSED_FORM);
    }

    @Test
    void tenMillionExposuresPerArmMatchRPropTest() {
        TestResult r = Proportions.zTest(BinaryStats.of(10_000_000, 500_000), BinaryStats.of(10_000_000, 502_000),
                0.05, Alternative.TWO_SIDED);
        assertZ(r, 2.0500157186839112, 0.040362896943487332, 8.7854877643126145e-06, 0.00039121451223568494);
    }

    @Test
    void tinyArmsMatchRPropTestAndAreFlaggedAsSmall() {
        TestResult r = Proportions.zTest(BinaryStats.of(10, 1), BinaryStats.of(12, 5), 0.05, Alternative.TWO_SIDED);
        assertZ(r, 1.66061400960274, 0.096790993477842577, -0.01856527548216913, 0.65189860881550243);
        assertTrue(r.reasons().contains(ReasonCode.SMALL_EXPECTED_COUNTS));
    }

    @Test
    void pValueNearOneInAQuadrillionKeepsItsRelativePrecision() {
        TestResult r = Proportions.zTest(BinaryStats.of(100_000, 10_000), BinaryStats.of(100_000, 11_070), 0.05,
                Alternative.TWO_SIDED);
        assertZ(r, 7.7933633845091927, 6.5248622583210568e-15, 0.0080094504899376005, 0.013390549510062402);
    }

    @Test
    void standardErrorAndCriticalValueRebuildTheWaldInterval() {
        // conventions_reference.py: SE_BIN, CRIT_Z_TWO_SIDED, CRIT_Z_ONE_SIDED_10
        TestResult r = Proportions.zTest(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130), 0.05,
                Alternative.TWO_SIDED);
        assertNear(0.014251315728731857, r.standardError(), CLOSED_FORM);
        assertNear(1.9599639845400545, r.criticalValue(), CLOSED_FORM);
        assertNear(r.difference() - r.criticalValue() * r.standardError(), r.differenceInterval().low(), CLOSED_FORM);
        assertNear(r.difference() + r.criticalValue() * r.standardError(), r.differenceInterval().high(), CLOSED_FORM);
        TestResult greater = Proportions.zTest(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130), 0.10,
                Alternative.GREATER);
        assertNear(1.2815515655446004, greater.criticalValue(), CLOSED_FORM);
        assertEquals(r.standardError(), greater.standardError());
    }

    @Test
    void anEmptyArmHasNoStandardErrorButItsCriticalValue() {
        TestResult r = Proportions.zTest(BinaryStats.EMPTY, BinaryStats.of(10, 3), 0.05, Alternative.TWO_SIDED);
        assertTrue(Double.isNaN(r.standardError()));
        assertNear(1.9599639845400545, r.criticalValue(), CLOSED_FORM);
    }

    @Test
    void bothArmsAtZeroPercentGivePValueOneAndZeroVarianceReason() {
        TestResult r = Proportions.zTest(BinaryStats.of(100, 0), BinaryStats.of(100, 0), 0.05, Alternative.TWO_SIDED);
        assertEquals(1.0, r.pValue());
        assertEquals(new Interval(0, 0), r.differenceInterval());
        assertTrue(r.reasons().contains(ReasonCode.ZERO_VARIANCE));
        assertTrue(r.reasons().contains(ReasonCode.ZERO_CONTROL_MEAN));
        assertTrue(Double.isNaN(r.relativeLift()));
    }

    @Test
    void bothArmsAtHundredPercentGivePValueOne() {
        TestResult r = Proportions.zTest(BinaryStats.of(100, 100), BinaryStats.of(50, 50), 0.05,
                Alternative.TWO_SIDED);
        assertEquals(1.0, r.pValue());
        assertEquals(0.0, r.relativeLift());
        assertTrue(r.reasons().contains(ReasonCode.ZERO_VARIANCE));
    }

    @Test
    void zeroVersusHundredPercentKeepsThePooledTestAndItsWaldIntervalCollapsesToTheDifference() {
        TestResult r = Proportions.zTest(BinaryStats.of(20, 0), BinaryStats.of(20, 20), 0.05, Alternative.TWO_SIDED);
        // pooled p = 0.5, z = 1 / sqrt(0.25 * 0.1); unpooled se = sqrt(0 * 1 / 20 + 1 * 0 / 20) = 0
        assertNear(Math.sqrt(40), r.statistic(), CLOSED_FORM);
        assertEquals(new Interval(1, 1), r.differenceInterval());
        assertTrue(r.reasons().contains(ReasonCode.ZERO_VARIANCE));
    }

    @Test
    void oneExposurePerArmIsComputedAndFlagged() {
        TestResult r = Proportions.zTest(BinaryStats.of(1, 0), BinaryStats.of(1, 1), 0.05, Alternative.TWO_SIDED);
        assertNear(Math.sqrt(2), r.statistic(), CLOSED_FORM);
        // pooled p = 0.5, z = 1 / sqrt(0.25 * 2); SciPy 1.17: 2 * norm.sf(sqrt(2))
        assertNear(0.15729920705028502, r.pValue(), CLOSED_FORM);
        assertEquals(new Interval(1, 1), r.differenceInterval());
        assertTrue(r.reasons().containsAll(java.util.Set.of(ReasonCode.SMALL_EXPECTED_COUNTS,
                ReasonCode.ZERO_VARIANCE, ReasonCode.ZERO_CONTROL_MEAN)));
    }

    @Test
    void aCollapsedWaldIntervalIsOneSidedUnderAOneSidedAlternative() {
        BinaryStats c = BinaryStats.of(1, 1);
        BinaryStats t = BinaryStats.of(1, 0);
        assertEquals(new Interval(-1, -1), Proportions.zTest(c, t, 0.05, Alternative.TWO_SIDED).differenceInterval());
        assertEquals(new Interval(-1, Double.POSITIVE_INFINITY),
                Proportions.zTest(c, t, 0.05, Alternative.GREATER).differenceInterval());
        assertEquals(new Interval(Double.NEGATIVE_INFINITY, -1),
                Proportions.zTest(c, t, 0.05, Alternative.LESS).differenceInterval());
        // lift = 0 / 1 - 1 with a zero delta-method se (treatment rate 0, control variance 0)
        assertEquals(new Interval(-1, -1), Proportions.zTest(c, t, 0.05, Alternative.TWO_SIDED).relativeLiftInterval());
    }

    @Test
    void emptyArmGivesNaNWithReasonInsteadOfThrowing() {
        TestResult r = Proportions.zTest(BinaryStats.EMPTY, BinaryStats.of(10, 3), 0.05, Alternative.TWO_SIDED);
        assertTrue(Double.isNaN(r.pValue()));
        assertTrue(r.differenceInterval().isUndefined());
        assertEquals(java.util.Set.of(ReasonCode.EMPTY_ARM), r.reasons());
    }

    @Test
    void chiSquareForTwoToFiveArmsMatchesScipy() {
        assertChi(Proportions.chiSquare(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130)),
                4.421518054532056, 0.03548845046647463, 1);
        assertChi(Proportions.chiSquare(BinaryStats.of(5000, 400), BinaryStats.of(5100, 455),
                BinaryStats.of(4950, 380)), 5.589048444690618, 0.0611439583423774, 2);
        assertChi(Proportions.chiSquare(BinaryStats.of(200, 20), BinaryStats.of(210, 35), BinaryStats.of(190, 18),
                BinaryStats.of(205, 25)), 6.144314390177328, 0.1047962639630306, 3);
        assertChi(Proportions.chiSquare(BinaryStats.of(10_000_000, 500_000), BinaryStats.of(10_000_000, 501_500),
                        BinaryStats.of(9_999_000, 499_000), BinaryStats.of(10_001_000, 502_200),
                        BinaryStats.of(10_000_000, 500_900)), 12.598872923615245, 0.013411545833544512, 4);
    }

    @Test
    void chiSquareOfTwoArmsEqualsTheSquaredZ() {
        TestResult z = Proportions.zTest(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130), 0.05,
                Alternative.TWO_SIDED);
        ChiSquareResult chi = Proportions.chiSquare(BinaryStats.of(1000, 100), BinaryStats.of(1000, 130));
        assertNear(z.statistic() * z.statistic(), chi.statistic(), 1e-12);
        assertNear(z.pValue(), chi.pValue(), 1e-12);
    }

    @Test
    void chiSquareDegenerateTablesCarryReasons() {
        assertEquals(java.util.Set.of(ReasonCode.SINGLE_ARM), Proportions.chiSquare(BinaryStats.of(10, 1)).reasons());
        assertEquals(java.util.Set.of(ReasonCode.EMPTY_ARM),
                Proportions.chiSquare(BinaryStats.of(10, 1), BinaryStats.EMPTY).reasons());
        ChiSquareResult allZero = Proportions.chiSquare(BinaryStats.of(10, 0), BinaryStats.of(12, 0));
        assertEquals(1.0, allZero.pValue());
        assertTrue(allZero.reasons().contains(ReasonCode.ZERO_VARIANCE));
    }

    private static void assertChi(ChiSquareResult r, double stat, double p, int df) {
        assertNear(stat, r.statistic(), CLOSED_FORM, "X2");
        assertNear(p, r.pValue(), CLOSED_FORM, "p");
        assertEquals(df, r.degreesOfFreedom());
    }

    @Test
    void zTestPValuesAreUniformUnderTheNull() {
        SplittableRandom rng = new SplittableRandom(7);
        double[] p = new double[2000];
        for (int rep = 0; rep < p.length; rep++) {
            p[rep] = Proportions.zTest(binomial(rng, 2000, 0.3), binomial(rng, 2000, 0.3), 0.05,
                    Alternative.TWO_SIDED).pValue();
        }
        double ks = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new UniformRealDistribution(0, 1), p);
        assertTrue(ks > 0.01, "KS p-value " + ks);
    }

    static BinaryStats binomial(SplittableRandom rng, int n, double rate) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            if (rng.nextDouble() < rate) {
                s++;
            }
        }
        return BinaryStats.of(n, s);
    }
}
