package dev.vane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void defaultsAreTwoSidedFivePercentWithUniformPrior() {
        Options o = Options.defaults();
        assertEquals(0.05, o.alpha());
        assertEquals(Alternative.TWO_SIDED, o.alternative());
        assertEquals(1.0, o.priorSuccesses());
        assertEquals(1.0, o.priorFailures());
    }

    @Test
    void withersChangeOneFieldOnly() {
        Options o = Options.defaults().withAlternative(Alternative.GREATER).withBetaPrior(0.5, 0.5);
        assertEquals(Alternative.GREATER, o.alternative());
        assertEquals(0.5, o.priorFailures());
        assertEquals(0.05, o.alpha());
    }

    @Test
    void badSettingsAreRejectedWithTheValueAndRule() {
        assertEquals("priorSuccesses: -3.0 (expected: finite and > 0)", assertThrows(IllegalArgumentException.class,
                () -> Options.defaults().withBetaPrior(-3, 1)).getMessage());
        assertEquals("monteCarloDraws: 0 (expected: >= 1)", assertThrows(IllegalArgumentException.class,
                () -> Options.defaults().withMonteCarlo(0, 1)).getMessage());
        assertEquals("sequentialEffectSize: NaN (expected: finite and > 0)", assertThrows(IllegalArgumentException.class,
                () -> Options.defaults().withSequentialEffectSize(Double.NaN)).getMessage());
        assertEquals("mixingVariance: 0.0 (expected: finite and > 0)", assertThrows(IllegalArgumentException.class,
                () -> Options.defaults().withMixingVariance(0)).getMessage());
        assertEquals("mixingVariance: NaN (expected: finite and > 0)", assertThrows(IllegalArgumentException.class,
                () -> Options.defaults().withMixingVariance(Double.NaN)).getMessage());
        assertEquals("mixingVariance: -1.0 (expected: finite and >= 0)", assertThrows(IllegalArgumentException.class,
                () -> new Options(0.05, Alternative.TWO_SIDED, 0.1, -1, 1, 1, true, 10, 1)).getMessage());
    }

    @Test
    void mixingVarianceIsDerivedFromTheEffectSizeUntilSetDirectly() {
        Options o = Options.defaults();
        assertEquals(0.0, o.mixingVariance());
        assertEquals(0.1 * 0.1 * 4.0, o.mixingVarianceFor(4.0));
        Options set = o.withMixingVariance(1e-4);
        assertEquals(1e-4, set.mixingVarianceFor(4.0));
        assertEquals(1e-4, set.withAlpha(0.1).mixingVarianceFor(4.0));
        Options reset = set.withSequentialEffectSize(0.2);
        assertEquals(0.0, reset.mixingVariance());
        assertEquals(0.2 * 0.2 * 4.0, reset.mixingVarianceFor(4.0));
    }
}
