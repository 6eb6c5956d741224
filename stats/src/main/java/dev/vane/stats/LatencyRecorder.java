package dev.vane.stats;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records latencies of one arm from many threads without locks (an HdrHistogram {@link Recorder}) and hands out
 * interval snapshots: each {@link #intervalSnapshot()} holds the values recorded since the previous one.
 */
public final class LatencyRecorder {
    private final Recorder recorder = new Recorder(3);
    private Histogram recycled;

    /** Records one value (e.g. microseconds); negative values are rejected. */
    public void record(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("value: " + value + " (expected: >= 0)");
        }
        recorder.recordValue(value);
    }

    /** The values recorded since the previous call. Call from one reader thread at a time. */
    public synchronized LatencyStats intervalSnapshot() {
        Histogram interval = recorder.getIntervalHistogram(recycled);
        LatencyStats snapshot = LatencyStats.of(interval);
        recycled = interval;
        return snapshot;
    }
}
