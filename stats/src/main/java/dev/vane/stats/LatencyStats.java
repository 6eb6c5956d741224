package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import dev.vane.stats.internal.WeightedSample;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * An immutable latency distribution for one arm: a private copy of an HdrHistogram snapshot.
 *
 * <p>Values are in whatever unit was recorded (the gateway records microseconds). Snapshots from several nodes
 * merge with {@link #merge} (exact: bucket counts add) and travel as compressed bytes ({@link #encode},
 * {@link #decode}), e.g. in a Redis string. Build them from a snapshot (the gateway's {@code LatencyRecorder}
 * hands out copies), never from a live histogram.
 */
public final class LatencyStats {
    private static final long DEFAULT_HIGHEST = 3_600_000_000L; // one hour in microseconds
    private static final int DEFAULT_DIGITS = 3;

    private final Histogram histogram;

    private LatencyStats(Histogram histogram) {
        this.histogram = histogram;
    }

    /** An empty distribution tracking values 1..3.6e9 (an hour in microseconds) to 3 significant digits. */
    public static LatencyStats empty() {
        return new LatencyStats(newHistogram());
    }

    static Histogram newHistogram() {
        Histogram h = new Histogram(DEFAULT_HIGHEST, DEFAULT_DIGITS);
        h.setAutoResize(true);
        return h;
    }

    /** Copies {@code histogram}; later changes to it do not affect the result. */
    public static LatencyStats of(Histogram histogram) {
        Checks.notNull("histogram", histogram);
        Histogram copy = histogram.copy();
        copy.setAutoResize(true);
        return new LatencyStats(copy);
    }

    /** A distribution of raw values (for tests and offline analysis). */
    public static LatencyStats ofValues(long... values) {
        Histogram h = newHistogram();
        for (long v : values) {
            Checks.nonNegative("value", v);
            h.recordValue(v);
        }
        return new LatencyStats(h);
    }

    /** The distribution of both snapshots' values together. */
    public LatencyStats merge(LatencyStats other) {
        Histogram h = histogram.copy();
        h.setAutoResize(true);
        h.add(other.histogram);
        return new LatencyStats(h);
    }

    /** Number of recorded values. */
    public long count() {
        return histogram.getTotalCount();
    }

    /** Mean of the recorded values, or 0 when count == 0. */
    public double mean() {
        return count() == 0 ? 0.0 : histogram.getMean();
    }

    /** Value at the given percentile (0..100), or 0 when count == 0; within the histogram's precision. */
    public long valueAtPercentile(double percentile) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile: " + percentile + " (expected: >= 0 and <= 100)");
        }
        return histogram.getValueAtPercentile(percentile);
    }

    /** Compressed HdrHistogram encoding. */
    public byte[] encode() {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        byte[] out = new byte[length];
        buffer.flip();
        buffer.get(out);
        return out;
    }

    /** Inverse of {@link #encode}. */
    public static LatencyStats decode(byte[] bytes) {
        Checks.notNull("bytes", bytes);
        try {
            Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
            h.setAutoResize(true);
            return new LatencyStats(h);
        } catch (DataFormatException | RuntimeException e) {
            throw new IllegalArgumentException("bytes: " + bytes.length + " bytes (expected: an encoded histogram)", e);
        }
    }

    /** Distinct recorded values (each bucket's representative value) with their counts, ascending. */
    WeightedSample toWeightedSample() {
        int distinct = 0;
        for (HistogramIterationValue ignored : histogram.recordedValues()) {
            distinct++;
        }
        double[] values = new double[distinct];
        long[] counts = new long[distinct];
        int i = 0;
        for (HistogramIterationValue v : histogram.recordedValues()) {
            values[i] = histogram.medianEquivalentValue(v.getValueIteratedTo());
            counts[i] = v.getCountAtValueIteratedTo();
            i++;
        }
        return WeightedSample.ofSorted(values, counts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyStats other && histogram.equals(other.histogram);
    }

    @Override
    public int hashCode() {
        return histogram.hashCode();
    }

    @Override
    public String toString() {
        return "LatencyStats[count=" + count() + ", mean=" + mean() + "]";
    }
}
