package dev.vane.stats;

/**
 * The alternative hypothesis about {@code difference = treatment - control}. Two-sided is the default everywhere.
 */
public enum Alternative {
    /** H1: difference != 0; intervals are two-sided at level 1 - alpha. */
    TWO_SIDED,
    /** H1: difference > 0 (treatment larger); intervals are [low, +infinity). */
    GREATER,
    /** H1: difference < 0 (treatment smaller); intervals are (-infinity, high]. */
    LESS
}
