package dev.vane.stats;

/**
 * Why a result is partial. A quantity that cannot be computed is NaN (an interval: {@link Interval#UNDEFINED}) and
 * the result lists the reason; numbers that are still meaningful are kept.
 */
public enum ReasonCode {
    /** An arm has no exposures / observations: tests and intervals are NaN. */
    EMPTY_ARM,
    /** An arm has one observation, so its variance is unknown: t-test and normal posterior are NaN. */
    TOO_FEW_OBSERVATIONS,
    /**
     * A standard error is zero (e.g. both arms at 0% or 100% conversion, 0% against 100%, or constant values). The
     * numbers are their limits as the standard error goes to 0: the interval collapses to the estimate d, [d, d]
     * (one-sided: [d, +infinity) or (-infinity, d]); the statistic is 0 and the p-value 1 when d == 0, otherwise the
     * statistic is +-infinity and the p-value its tail (two-sided: 0).
     */
    ZERO_VARIANCE,
    /** The control mean is 0, so the relative lift and its interval are NaN. */
    ZERO_CONTROL_MEAN,
    /** An expected cell count is below 5: asymptotic p-values may be inaccurate. */
    SMALL_EXPECTED_COUNTS,
    /** Fewer than two arms (with positive weight): nothing to compare, p-value 1. */
    SINGLE_ARM,
    /** Observations fell into an arm whose configured weight is 0. */
    TRAFFIC_IN_ZERO_WEIGHT_ARM,
    /** CUPED was requested but the covariate is absent or constant: the unadjusted metric was used. */
    NO_COVARIATE_VARIANCE,
    /** The running confidence sequence became empty (evidence against the model); the latest interval is shown. */
    EMPTY_CONFIDENCE_SEQUENCE,
    /**
     * A trend over time needs at least three points with a finite estimate and a positive standard error, at two or
     * more distinct times: slope, standard error and p-value are NaN.
     */
    TOO_FEW_POINTS
}
