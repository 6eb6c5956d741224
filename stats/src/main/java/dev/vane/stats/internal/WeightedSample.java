package dev.vane.stats.internal;

import java.util.Arrays;

/** Distinct values in ascending order with their multiplicities; ties are represented exactly. */
public final class WeightedSample {
    private final double[] values;
    private final long[] counts;
    private final long total;

    private WeightedSample(double[] values, long[] counts, long total) {
        this.values = values;
        this.counts = counts;
        this.total = total;
    }

    /** Values must be strictly ascending and counts positive; the arrays are not copied. */
    public static WeightedSample ofSorted(double[] values, long[] counts) {
        long total = 0;
        for (int i = 0; i < values.length; i++) {
            Checks.finite("values[" + i + "]", values[i]);
            Checks.nonNegative("counts[" + i + "]", counts[i]);
            if (i > 0 && !(values[i] > values[i - 1])) {
                throw new IllegalArgumentException("values[" + i + "]: " + values[i] + " (expected: > " + values[i - 1] + ")");
            }
            total = Math.addExact(total, counts[i]);
        }
        return new WeightedSample(values, counts, total);
    }

    /** Sorts and groups raw values. */
    public static WeightedSample of(double[] raw) {
        Checks.finiteAll("values", raw);
        double[] sorted = raw.clone();
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                distinct++;
            }
        }
        double[] values = new double[distinct];
        long[] counts = new long[distinct];
        int j = -1;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                j++;
                values[j] = sorted[i] == 0 ? 0.0 : sorted[i]; // fold -0.0 into 0.0
            }
            counts[j]++;
        }
        return new WeightedSample(values, counts, sorted.length);
    }

    public int distinct() {
        return values.length;
    }

    public double value(int i) {
        return values[i];
    }

    public long count(int i) {
        return counts[i];
    }

    public long total() {
        return total;
    }
}
