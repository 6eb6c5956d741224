package dev.vane.stats.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tolerance assertions for reference values. */
public final class Near {
    /** Closed forms against SciPy / R: relative 1e-9. */
    public static final double CLOSED_FORM = 1e-9;
    /** Numeric integration / root finding: relative 1e-6. */
    public static final double NUMERIC = 1e-6;

    private Near() {}

    /** |actual - expected| &lt;= tolerance * |expected| (absolute tolerance when expected == 0). */
    public static void assertNear(double expected, double actual, double tolerance) {
        assertNear(expected, actual, tolerance, "");
    }

    public static void assertNear(double expected, double actual, double tolerance, String what) {
        double bound = expected == 0 ? tolerance : tolerance * Math.abs(expected);
        assertTrue(Math.abs(actual - expected) <= bound,
                () -> what + " expected " + expected + " but was " + actual + " (relative error "
                        + Math.abs(actual - expected) / Math.abs(expected) + ", tolerance " + tolerance + ")");
    }
}
