package dev.vane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    @Test
    void eachSnapshotHoldsOnlyTheValuesSinceThePreviousOne() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(100);
        recorder.record(200);
        assertEquals(2, recorder.intervalSnapshot().count());
        recorder.record(300);
        LatencyStats second = recorder.intervalSnapshot();
        assertEquals(1, second.count());
        assertEquals(300, second.valueAtPercentile(100), 1);
        assertEquals(0, recorder.intervalSnapshot().count());
    }

    @Test
    void negativeLatencyIsMisuse() {
        assertEquals("value: -5 (expected: >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new LatencyRecorder().record(-5)).getMessage());
    }
}
