package dev.vane.stats;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.NUMERIC;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** References: r_reference.R (power.prop.test, tol = 1e-12) and scipy_reference.py (normal quantiles). */
class PowerTest {

    @Test
    void binarySampleSizeMatchesRPowerPropTest() {
        // R solves by uniroot: agreement is that of a root finder
        assertNear(14750.790469044954, Power.sampleSizeBinary(0.10, 0.01, 0.05, 0.8, Alternative.TWO_SIDED), NUMERIC);
        assertNear(13528.795397740694, Power.sampleSizeBinary(0.05, 0.01, 0.01, 0.9, Alternative.GREATER), NUMERIC);
    }

    @Test
    void binaryMdeMatchesRPowerPropTestAndInvertsTheSampleSize() {
        double mde = Power.mdeBinary(0.10, 20_000, 0.05, 0.8, Alternative.TWO_SIDED);
        assertNear(0.10856208634899341 - 0.10, mde, NUMERIC);
        assertNear(20_000, Power.sampleSizeBinary(0.10, mde, 0.05, 0.8, Alternative.TWO_SIDED), 1e-9);
    }

    @Test
    void continuousSampleSizeAndMdeMatchNormalQuantiles() {
        assertNear(565.1193408731345, Power.sampleSizeContinuous(3.0, 0.5, 0.05, 0.8, Alternative.TWO_SIDED),
                CLOSED_FORM);
        assertNear(0.3758720995475504, Power.mdeContinuous(3.0, 1000, 0.05, 0.8, Alternative.TWO_SIDED), CLOSED_FORM);
        assertNear(1712.7694701335954, Power.sampleSizeContinuous(1.0, 0.1, 0.05, 0.9, Alternative.GREATER),
                CLOSED_FORM);
    }

    @Test
    void undetectableEffectIsNaN() {
        assertEquals(Double.NaN, Power.mdeBinary(0.5, 3, 0.05, 0.99, Alternative.TWO_SIDED));
    }

    @Test
    void misuseNamesTheBadValue() {
        assertEquals("baseline: 1.5 (expected: > 0 and < 1)", assertThrows(IllegalArgumentException.class,
                () -> Power.sampleSizeBinary(1.5, 0.01, 0.05, 0.8, Alternative.TWO_SIDED)).getMessage());
        assertEquals("mde: 0.95 (expected: != 0 and 0 < baseline + mde < 1)", assertThrows(
                IllegalArgumentException.class,
                () -> Power.sampleSizeBinary(0.1, 0.95, 0.05, 0.8, Alternative.TWO_SIDED)).getMessage());
        assertEquals("power: 1.0 (expected: > 0 and < 1)", assertThrows(IllegalArgumentException.class,
                () -> Power.sampleSizeContinuous(1, 0.1, 0.05, 1.0, Alternative.TWO_SIDED)).getMessage());
    }
}
