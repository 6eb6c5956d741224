package dev.vane.stats;

import java.io.Serializable;

/**
 * A closed interval [low, high]. One-sided intervals use an infinite bound; an undefined interval has NaN bounds
 * (and the result holding it carries a {@link ReasonCode} saying why).
 */
public record Interval(double low, double high) implements Serializable {
    /** The whole real line. */
    public static final Interval ALL = new Interval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    /** Undefined. */
    public static final Interval UNDEFINED = new Interval(Double.NaN, Double.NaN);

    public Interval {
        if (low > high) {
            throw new IllegalArgumentException("low: " + low + " (expected: <= high " + high + ")");
        }
        if (Double.isNaN(low) != Double.isNaN(high)) {
            throw new IllegalArgumentException("low: " + low + ", high: " + high + " (expected: both or neither NaN)");
        }
    }

    /** True when both bounds are NaN. */
    public boolean isUndefined() {
        return Double.isNaN(low);
    }

    /** True when {@code low <= x <= high}. */
    public boolean contains(double x) {
        return low <= x && x <= high;
    }

    /** The intersection, or null when the intervals are disjoint. */
    public Interval intersect(Interval other) {
        double lo = Math.max(low, other.low);
        double hi = Math.min(high, other.high);
        return lo <= hi ? new Interval(lo, hi) : null;
    }
}
