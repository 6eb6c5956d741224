package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import java.io.Serializable;

/**
 * The running state of an always-valid (mSPRT) test between looks: keep the one returned by a comparison and pass
 * it to the next, e.g. stored beside the experiment. Immutable.
 *
 * @param looks number of looks so far
 * @param pValue always-valid p-value: the minimum over looks of min(1, 1 / likelihood ratio), non-increasing
 * @param interval confidence sequence: the intersection over looks of each look's interval for
 *     {@code treatment - control}; {@link Interval#ALL} before the first look
 */
public record SequentialState(long looks, double pValue, Interval interval) implements Serializable {
    /** Before any look: p-value 1, interval the whole line. */
    public static final SequentialState INITIAL = new SequentialState(0, 1.0, Interval.ALL);

    public SequentialState {
        Checks.nonNegative("looks", looks);
        Checks.closedUnit("pValue", pValue);
        Checks.notNull("interval", interval);
    }
}
