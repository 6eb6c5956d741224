package dev.vane.stats;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reference: scipy_reference.py (scipy.stats.chisquare(observed, expected)). */
class SampleRatioTest {

    private static void assertSrm(SrmResult r, double stat, double p, boolean mismatch) {
        assertNear(stat, r.statistic(), CLOSED_FORM, "X2");
        assertNear(p, r.pValue(), CLOSED_FORM, "p");
        assertEquals(mismatch, r.mismatch());
    }

    @Test
    void balancedSplitWithinNoiseIsNoMismatch() {
        assertSrm(SampleRatio.srm(new long[] {50_123, 49_877}, new double[] {0.5, 0.5}), 0.60516,
                0.43661599744396395, false);
    }

    @Test
    void skewedSplitRaisesTheAlarmBelowOneInAThousand() {
        assertSrm(SampleRatio.srm(new long[] {50_800, 49_200}, new double[] {0.5, 0.5}), 25.6, 4.200393976022008e-07,
                true);
    }

    @Test
    void threeAndFiveArmsMatchScipy() {
        assertSrm(SampleRatio.srm(new long[] {33_000, 33_500, 33_500}, new double[] {1, 1, 1}), 5.0,
                0.0820849986238988, false);
        assertSrm(SampleRatio.srm(new long[] {10_000, 10_100, 9_950, 10_050, 9_800},
                new double[] {0.2, 0.2, 0.2, 0.2, 0.2}), 5.31062124248497, 0.2568842855239822, false);
    }

    @Test
    void unequalWeightsNeedNotSumToOne() {
        assertSrm(SampleRatio.srm(new long[] {90_500, 4_700, 4_800}, new double[] {90, 5, 5}), 28.77777777777778,
                5.63618130195002e-07, true);
    }

    @Test
    void customThresholdIsHonoured() {
        assertTrue(SampleRatio.srm(new long[] {33_000, 33_500, 33_500}, new double[] {1, 1, 1}, 0.1).mismatch());
    }

    @Test
    void noTrafficYetIsNoMismatch() {
        SrmResult r = SampleRatio.srm(new long[] {0, 0}, new double[] {1, 1});
        assertEquals(1.0, r.pValue());
        assertFalse(r.mismatch());
        assertTrue(r.reasons().contains(ReasonCode.EMPTY_ARM));
    }

    @Test
    void trafficInAZeroWeightArmIsAMismatch() {
        SrmResult r = SampleRatio.srm(new long[] {100, 100, 3}, new double[] {1, 1, 0});
        assertTrue(r.mismatch());
        assertEquals(0.0, r.pValue());
        assertTrue(r.reasons().contains(ReasonCode.TRAFFIC_IN_ZERO_WEIGHT_ARM));
    }

    @Test
    void singleArmHasNothingToCompare() {
        SrmResult r = SampleRatio.srm(new long[] {100}, new double[] {1});
        assertEquals(1.0, r.pValue());
        assertTrue(r.reasons().contains(ReasonCode.SINGLE_ARM));
    }

    @Test
    void misuseNamesTheBadValue() {
        assertEquals("weights[1]: -3.0 (expected: finite and >= 0)", assertThrows(IllegalArgumentException.class,
                () -> SampleRatio.srm(new long[] {1, 2}, new double[] {1, -3})).getMessage());
        assertEquals("observed[0]: -1 (expected: >= 0)", assertThrows(IllegalArgumentException.class,
                () -> SampleRatio.srm(new long[] {-1, 2}, new double[] {1, 1})).getMessage());
        assertEquals("weights.length: 3 (expected: observed.length 2)", assertThrows(IllegalArgumentException.class,
                () -> SampleRatio.srm(new long[] {1, 2}, new double[] {1, 1, 1})).getMessage());
        assertEquals("weights[0]: NaN (expected: finite and >= 0)", assertThrows(IllegalArgumentException.class,
                () -> SampleRatio.srm(new long[] {1, 2}, new double[] {Double.NaN, 1})).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SampleRatio.srm(new long[] {1, 2}, new double[] {0, 0}));
    }
}
