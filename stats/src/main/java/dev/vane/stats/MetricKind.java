package dev.vane.stats;

/** What a {@link ComparisonResult} compared. */
public enum MetricKind {
    /** Conversion rates: two-proportion z-test, Beta-Binomial posterior. */
    BINARY,
    /** Means: Welch t-test (optionally CUPED-adjusted), normal posterior. */
    CONTINUOUS
}
