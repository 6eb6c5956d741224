package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import java.io.Serializable;

/**
 * Sufficient statistics of a binary (converted / not converted) metric for one arm: exposures and successes.
 *
 * <p>Additive, so instances from several gateway nodes (or several Redis hash fields incremented with
 * {@code HINCRBY}) merge exactly with {@link #merge}. Immutable and {@link Serializable}; a record, so
 * JSON mappers serialise it as {@code {"exposures":..,"successes":..}}.
 *
 * @param exposures number of units exposed, {@code >= 0}
 * @param successes number of exposed units that converted, {@code 0 <= successes <= exposures}
 */
public record BinaryStats(long exposures, long successes) implements Serializable {
    /** No exposures. */
    public static final BinaryStats EMPTY = new BinaryStats(0, 0);

    public BinaryStats {
        Checks.nonNegative("exposures", exposures);
        Checks.nonNegative("successes", successes);
        if (successes > exposures) {
            throw new IllegalArgumentException(
                    "successes: " + successes + " (expected: <= exposures " + exposures + ")");
        }
    }

    public static BinaryStats of(long exposures, long successes) {
        return new BinaryStats(exposures, successes);
    }

    /** One more exposure, converted or not. */
    public BinaryStats plus(boolean success) {
        return new BinaryStats(Math.addExact(exposures, 1), success ? successes + 1 : successes);
    }

    /** The union of two disjoint sets of exposures. Exact; throws {@link ArithmeticException} on long overflow. */
    public BinaryStats merge(BinaryStats other) {
        return new BinaryStats(Math.addExact(exposures, other.exposures), Math.addExact(successes, other.successes));
    }

    /** Conversion rate = successes / exposures, or 0 when exposures == 0. */
    public double rate() {
        return exposures == 0 ? 0.0 : (double) successes / exposures;
    }

    /** Exposures that did not convert. */
    public long failures() {
        return exposures - successes;
    }
}
