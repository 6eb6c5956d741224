package dev.vane.stats.internal;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Reference: scipy_reference.py (norm.cdf / norm.pdf). */
class NormalPosteriorTest {

    @Test
    void probabilityAndLossMatchScipy() {
        assertNear(0.9331927987311419, NormalPosterior.probabilityGreater(0.3, 0.04), CLOSED_FORM);
        assertNear(0.0058613587525209315, NormalPosterior.expectedLoss(0.3, 0.04), CLOSED_FORM);
    }

    @Test
    void lossesDifferByTheMeanDifference() {
        // E[max(D,0)] - E[max(-D,0)] = E[D]
        assertNear(0.3, NormalPosterior.expectedLoss(-0.3, 0.04) - NormalPosterior.expectedLoss(0.3, 0.04), 1e-12);
    }

    @Test
    void zeroVarianceIsCertain() {
        assertEquals(1.0, NormalPosterior.probabilityGreater(0.1, 0));
        assertEquals(0.5, NormalPosterior.probabilityGreater(0, 0));
        assertEquals(0.1, NormalPosterior.expectedLoss(-0.1, 0));
    }
}
