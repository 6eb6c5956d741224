package dev.vane.stats.internal;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.stats.Alternative;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.TestResult;
import org.junit.jupiter.api.Test;

/** Reference: scipy_reference.py (theta = cov/var pooled, Welch t-test of the adjusted values). */
class CupedTest {

    @Test
    void adjustedWelchTestMatchesScipyOnAdjustedRawValues() {
        ContinuousStats c = ContinuousStats.ofValues(ReferenceData.CUPED_YC, ReferenceData.CUPED_XC);
        ContinuousStats t = ContinuousStats.ofValues(ReferenceData.CUPED_YT, ReferenceData.CUPED_XT);
        Cuped.Adjustment adj = Cuped.adjust(c, t);
        assertNear(0.8235514005144381, adj.theta(), CLOSED_FORM);
        TestResult r = Welch.test(adj.control(), adj.treatment(), 0.05, Alternative.TWO_SIDED);
        assertNear(0.5058407644380472, r.difference(), CLOSED_FORM);
        assertNear(3.555577108593675, r.statistic(), CLOSED_FORM);
        assertNear(0.0005821150395148306, r.pValue(), CLOSED_FORM);
        assertNear(0.14190581361858962, Welch.test(c, t, 0.05, Alternative.TWO_SIDED).pValue(), CLOSED_FORM);
        assertTrue(adj.varianceReduction() > 0.5, "variance reduction " + adj.varianceReduction());
    }

    @Test
    void mergedSummariesGiveTheSameAdjustmentAsOneBatch() {
        ContinuousStats whole = ContinuousStats.ofValues(ReferenceData.CUPED_YC, ReferenceData.CUPED_XC);
        ContinuousStats parts = ContinuousStats.EMPTY;
        for (int i = 0; i < ReferenceData.CUPED_YC.length; i++) {
            parts = parts.plus(ReferenceData.CUPED_YC[i], ReferenceData.CUPED_XC[i]);
        }
        ContinuousStats t = ContinuousStats.ofValues(ReferenceData.CUPED_YT, ReferenceData.CUPED_XT);
        assertNear(Cuped.adjust(whole, t).theta(), Cuped.adjust(parts, t).theta(), 1e-12);
    }

    @Test
    void constantCovariateLeavesTheMetricUnadjusted() {
        ContinuousStats c = ContinuousStats.ofValues(new double[] {1, 2, 3}, new double[] {5, 5, 5});
        ContinuousStats t = ContinuousStats.ofValues(new double[] {2, 3, 4}, new double[] {5, 5, 5});
        Cuped.Adjustment adj = Cuped.adjust(c, t);
        assertEquals(0.0, adj.theta());
        assertEquals(c, adj.control());
    }
}
