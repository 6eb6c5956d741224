package dev.vane.stats.internal;

/**
 * Argument checks whose messages name the value and the rule, e.g. {@code "weight: -3 (expected: >= 0)"}.
 */
public final class Checks {
    private Checks() {}

    public static long nonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
        return value;
    }

    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: finite and >= 0)");
        }
        return value;
    }

    public static double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: finite and > 0)");
        }
        return value;
    }

    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: finite)");
        }
        return value;
    }

    /** Checks {@code 0 < value < 1}. */
    public static double openUnit(String name, double value) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0 and < 1)");
        }
        return value;
    }

    /** Checks {@code 0 <= value <= 1}. */
    public static double closedUnit(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0 and <= 1)");
        }
        return value;
    }

    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
        }
        return value;
    }

    public static void finiteAll(String name, double[] values) {
        if (values == null) {
            throw new IllegalArgumentException(name + ": null (expected: an array)");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "]: " + values[i] + " (expected: finite)");
            }
        }
    }

    public static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": null (expected: non-null)");
        }
        return value;
    }
}
