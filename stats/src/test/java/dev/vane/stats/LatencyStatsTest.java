package dev.vane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    @Test
    void mergedSnapshotsCountEveryValue() {
        LatencyStats a = LatencyStats.ofValues(100, 200, 300);
        LatencyStats b = LatencyStats.ofValues(400, 500);
        LatencyStats merged = a.merge(b);
        assertEquals(5, merged.count());
        assertEquals(300, merged.valueAtPercentile(50), 1);
        assertEquals(3, a.count()); // inputs are untouched
    }

    @Test
    void encodedBytesDecodeToAnEqualDistribution() {
        LatencyStats a = LatencyStats.ofValues(1, 10, 100, 1_000, 10_000_000);
        assertEquals(a, LatencyStats.decode(a.encode()));
    }

    @Test
    void garbageBytesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.decode(new byte[] {1, 2, 3}));
    }

    @Test
    void emptyDistributionHasZeroMeanAndPercentiles() {
        assertEquals(0.0, LatencyStats.empty().mean());
        assertEquals(0, LatencyStats.empty().valueAtPercentile(99));
    }

    @Test
    void percentileOutsideZeroToHundredIsMisuse() {
        assertEquals("percentile: 101.0 (expected: >= 0 and <= 100)", assertThrows(IllegalArgumentException.class,
                () -> LatencyStats.empty().valueAtPercentile(101)).getMessage());
    }
}
