package dev.vane.stats.internal;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.stats.Interval;
import dev.vane.stats.SequentialState;
import org.junit.jupiter.api.Test;

/** Reference: scipy_reference.py (the Johari et al. formula evaluated with mpmath at 40 digits). */
class MixtureSprtTest {
    private static final double V = 0.1 * 0.9 / 10000 + 0.11 * 0.89 / 10000;
    private static final double TAU2 = 0.01 * 0.105 * 0.895;

    @Test
    void oneLookMatchesTheMpmathEvaluationOfTheFormula() {
        assertNear(0.5258264918019769, MixtureSprt.instantaneousP(0.01, V, TAU2), CLOSED_FORM);
        assertNear(0.013791004393641233, MixtureSprt.halfWidth(V, TAU2, 0.05), CLOSED_FORM);
    }

    @Test
    void pValueNeverIncreasesAndIntervalsOnlyShrink() {
        SequentialState s = SequentialState.INITIAL;
        double[] estimates = {0.02, 0.001, 0.015, 0.004, 0.012};
        double previousP = 1;
        Interval previous = Interval.ALL;
        for (double d : estimates) {
            s = MixtureSprt.look(s, d, V, TAU2, 0.05).state();
            assertTrue(s.pValue() <= previousP);
            assertTrue(s.interval().low() >= previous.low() && s.interval().high() <= previous.high());
            previousP = s.pValue();
            previous = s.interval();
        }
        assertEquals(estimates.length, s.looks());
    }

    @Test
    void intervalExcludesZeroExactlyWhenPValueIsBelowAlpha() {
        for (double d = 0; d < 0.05; d += 0.0005) {
            SequentialState s = MixtureSprt.look(SequentialState.INITIAL, d, V, TAU2, 0.05).state();
            assertEquals(s.pValue() < 0.05, !s.interval().contains(0), "d = " + d);
        }
    }

    @Test
    void disjointLookIsReportedAndShowsTheLatestInterval() {
        SequentialState first = MixtureSprt.look(SequentialState.INITIAL, 0.05, V, TAU2, 0.05).state();
        MixtureSprt.Look second = MixtureSprt.look(first, -0.05, V, TAU2, 0.05);
        assertTrue(second.emptyIntersection());
        assertTrue(second.state().interval().contains(-0.05));
    }

    @Test
    void zeroVarianceLeavesTheStateAsItWas() {
        SequentialState s = MixtureSprt.look(SequentialState.INITIAL, 0, 0, TAU2, 0.05).state();
        assertEquals(1.0, s.pValue());
        assertEquals(Interval.ALL, s.interval());
    }

    @Test
    void nonPositiveMixtureVarianceIsMisuse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MixtureSprt.look(SequentialState.INITIAL, 0, V, -1, 0.05));
        assertEquals("tau2: -1.0 (expected: finite and > 0)", e.getMessage());
    }
}
