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
    }
}
