package dev.vane.stats;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Reference values computed independently in exact rational arithmetic (Python 3.11's {@code fractions}; the p-value
 * from {@code math.erfc}), with the script below (also reference/trend_reference.py); tolerance {@link dev.vane.stats.internal.Near#CLOSED_FORM}
 * (1e-9 relative).
 *
 * <pre>
 * from fractions import Fraction as F
 * import math
 * def ref(x, y, se):
 *     w = [1 / (F(s) ** 2) for s in se]
 *     sw = sum(w); xb = sum(wi * F(xi) for wi, xi in zip(w, x)) / sw; yb = sum(wi * F(yi) for wi, yi in zip(w, y)) / sw
 *     sxx = sum(wi * (F(xi) - xb) ** 2 for wi, xi in zip(w, x))
 *     sxy = sum(wi * (F(xi) - xb) * (F(yi) - yb) for wi, xi, yi in zip(w, x, y))
 *     b = sxy / sxx
 *     se_b = math.sqrt(1 / sxx)
 *     z = float(b) / se_b
 *     return float(b), se_b, z, math.erfc(abs(z) / math.sqrt(2))
 * </pre>
 */
class EffectTrendTest {

    private static void assertTrend(TrendResult r, double slope, double se, double z, double p) {
        assertNear(slope, r.slope(), CLOSED_FORM, "slope");
        assertNear(se, r.standardError(), CLOSED_FORM, "standard error");
        assertNear(z, r.z(), CLOSED_FORM, "z");
        assertNear(p, r.pValue(), CLOSED_FORM, "p");
        assertTrue(r.reasons().isEmpty(), r.reasons().toString());
    }

    @Test
    void aDecayingEffectOverAWeekMatchesTheExactRationalReference() {
        // ref([0..6], [.050, .041, .030, .028, .020, .018, .015], [.010, .011, .012, .012, .013, .015, .016])
        TrendResult r = EffectTrend.weightedSlope(new double[] {0, 1, 2, 3, 4, 5, 6},
                new double[] {0.050, 0.041, 0.030, 0.028, 0.020, 0.018, 0.015},
                new double[] {0.010, 0.011, 0.012, 0.012, 0.013, 0.015, 0.016}, 0.05);
        assertTrend(r, -0.006131012096114397, 0.002402782694083019, -2.5516298711541174, 0.010722035549283478);
        assertTrue(r.significant());
        assertEquals(7, r.points());
    }

    @Test
    void aFlatNoisyEffectIsNotATrend() {
        TrendResult r = EffectTrend.weightedSlope(new double[] {0, 1, 2, 3, 4},
                new double[] {0.010, -0.004, 0.012, 0.001, 0.006}, new double[] {0.008, 0.008, 0.009, 0.010, 0.012},
                0.05);
        assertTrend(r, -0.0004217839320996703, 0.0030545877328244106, -0.13808211418097646, 0.8901755211761567);
        assertFalse(r.significant());
    }

    @Test
    void unevenTimesAndWeightsMatchTheReferenceAndUndefinedPointsAreLeftOut() {
        // ref([0, 2, 5], [1.5, 1.0, -0.25], [0.5, 0.25, 1]); the NaN effect and the zero standard error are left out
        TrendResult r = EffectTrend.weightedSlope(new double[] {0, 1, 2, 3, 5},
                new double[] {1.5, Double.NaN, 1.0, 7, -0.25}, new double[] {0.5, 0.3, 0.25, 0, 1}, 0.05);
        assertTrend(r, -0.318, 0.20493901531919198, -1.5516811159881676, 0.12073854334140423);
        assertEquals(3, r.points());
    }

    @Test
    void fewerThanThreeUsablePointsOrOneTimeGiveAReasonNotANumber() {
        TrendResult two = EffectTrend.weightedSlope(new double[] {0, 1, 2}, new double[] {1, 2, Double.NaN},
                new double[] {1, 1, 1}, 0.05);
        assertTrue(Double.isNaN(two.slope()) && Double.isNaN(two.pValue()));
        assertFalse(two.significant());
        assertEquals(java.util.Set.of(ReasonCode.TOO_FEW_POINTS), two.reasons());
        TrendResult sameTime = EffectTrend.weightedSlope(new double[] {3, 3, 3}, new double[] {1, 2, 3},
                new double[] {1, 1, 1}, 0.05);
        assertEquals(java.util.Set.of(ReasonCode.TOO_FEW_POINTS), sameTime.reasons());
    }

    @Test
    void misuseIsAnException() {
        assertThrows(IllegalArgumentException.class,
                () -> EffectTrend.weightedSlope(new double[] {0, 1}, new double[] {1}, new double[] {1, 1}, 0.05));
        assertThrows(IllegalArgumentException.class,
                () -> EffectTrend.weightedSlope(new double[] {0}, new double[] {1}, new double[] {1}, 1.5));
    }

    // --- seeded simulations: 14 days, per day a binary metric in two arms, difference of proportions with the
    // unpooled standard error, as the results compute each day's effect

    private static final int DAYS = 14;

    /** Share of replications flagged at alpha 0.05; treatment rate on day d is control + effect(d). */
    private static double flaggedShare(long seed, int replications, int perArmPerDay, double control,
            java.util.function.IntToDoubleFunction effect) {
        RandomGenerator random = new SplittableRandom(seed);
        double[] days = new double[DAYS];
        for (int d = 0; d < DAYS; d++) {
            days[d] = d;
        }
        int flagged = 0;
        for (int rep = 0; rep < replications; rep++) {
            double[] diff = new double[DAYS];
            double[] se = new double[DAYS];
            for (int d = 0; d < DAYS; d++) {
                double pc = successes(random, perArmPerDay, control) / (double) perArmPerDay;
                double pt = successes(random, perArmPerDay, control + effect.applyAsDouble(d)) / (double) perArmPerDay;
                diff[d] = pt - pc;
                se[d] = Math.sqrt(pc * (1 - pc) / perArmPerDay + pt * (1 - pt) / perArmPerDay);
            }
            if (EffectTrend.weightedSlope(days, diff, se, 0.05).significant()) {
                flagged++;
            }
        }
        return flagged / (double) replications;
    }

    private static int successes(RandomGenerator random, int n, double p) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < p) {
                s++;
            }
        }
        return s;
    }

    @Test
    void withoutATrendTheFalseAlarmRateStaysWithinABinomialBandOfAlpha() {
        // 2,000 replications at alpha 0.05: 100 expected, sd sqrt(2000 * 0.05 * 0.95) = 9.75; the band is +-4 sd,
        // [61, 139] alarms, i.e. [0.0305, 0.0695] (a calibrated test leaves it with probability about 6e-5)
        double share = flaggedShare(20261206L, 2_000, 500, 0.10, d -> 0.02); // a constant effect is no trend
        assertTrue(share >= 0.0305 && share <= 0.0695, "false-alarm rate " + share);
    }

    @Test
    void aNoveltyEffectThatFadesIsFoundAlmostAlways() {
        // +4 points on day 0 fading with a 3-day time constant, 2,000 units per arm per day at a 10% base rate
        double share = flaggedShare(7L, 300, 2_000, 0.10, d -> 0.04 * Math.exp(-d / 3.0));
        assertTrue(share >= 0.9, "power " + share);
    }
}
