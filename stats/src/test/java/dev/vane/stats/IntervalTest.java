package dev.vane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IntervalTest {

    @Test
    void intersectionKeepsTheOverlapOrIsNullWhenDisjoint() {
        assertEquals(new Interval(2, 3), new Interval(1, 3).intersect(new Interval(2, 5)));
        assertNull(new Interval(1, 2).intersect(new Interval(3, 4)));
        assertEquals(new Interval(1, 2), Interval.ALL.intersect(new Interval(1, 2)));
    }

    @Test
    void undefinedIntervalHasBothBoundsNaN() {
        assertTrue(Interval.UNDEFINED.isUndefined());
        assertThrows(IllegalArgumentException.class, () -> new Interval(Double.NaN, 1));
        assertEquals("low: 2.0 (expected: <= high 1.0)",
                assertThrows(IllegalArgumentException.class, () -> new Interval(2, 1)).getMessage());
    }
}
