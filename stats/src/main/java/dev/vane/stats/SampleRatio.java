package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import java.util.EnumSet;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

/**
 * Sample-ratio-mismatch check: are the observed exposures per arm consistent with the configured traffic weights?
 * A mismatch means assignment or logging is broken and the experiment's other numbers should not be trusted.
 */
public final class SampleRatio {
    /** Default alarm threshold: p &lt; 0.001. */
    public static final double DEFAULT_THRESHOLD = 0.001;

    private SampleRatio() {}

    /** {@link #srm(long[], double[], double)} with the default threshold 0.001. */
    public static SrmResult srm(long[] observed, double[] weights) {
        return srm(observed, weights, DEFAULT_THRESHOLD);
    }

    /**
     * Chi-square goodness of fit: expected_i = N w_i / sum(w), {@code X2 = sum (o_i - e_i)^2 / e_i} over arms with
     * positive weight, df = (arms with positive weight) - 1. Weights need not sum to 1. Observations in an arm of
     * weight 0 make the p-value 0 ({@link ReasonCode#TRAFFIC_IN_ZERO_WEIGHT_ARM}).
     *
     * @param observed exposures per arm, each {@code >= 0}
     * @param weights configured weight per arm, each {@code >= 0}, at least one positive
     * @param threshold alarm when p-value &lt; threshold
     */
    public static SrmResult srm(long[] observed, double[] weights, double threshold) {
        Checks.notNull("observed", observed);
        Checks.notNull("weights", weights);
        Checks.openUnit("threshold", threshold);
        if (observed.length != weights.length) {
            throw new IllegalArgumentException(
                    "weights.length: " + weights.length + " (expected: observed.length " + observed.length + ")");
        }
        double totalWeight = 0;
        double n = 0;
        int positive = 0;
        for (int i = 0; i < observed.length; i++) {
            Checks.nonNegative("observed[" + i + "]", observed[i]);
            Checks.nonNegative("weights[" + i + "]", weights[i]);
            totalWeight += weights[i];
            n += observed[i];
            if (weights[i] > 0) {
                positive++;
            }
        }
        if (!(totalWeight > 0)) {
            throw new IllegalArgumentException("weights: all 0 (expected: at least one > 0)");
        }
        EnumSet<ReasonCode> why = EnumSet.noneOf(ReasonCode.class);
        int df = positive - 1;
        if (n == 0) {
            why.add(ReasonCode.EMPTY_ARM);
            return new SrmResult(0, df, 1.0, false, why);
        }
        double x2 = 0;
        boolean stray = false;
        for (int i = 0; i < observed.length; i++) {
            if (weights[i] == 0) {
                stray |= observed[i] > 0;
                continue;
            }
            double e = n * weights[i] / totalWeight;
            double d = observed[i] - e;
            x2 += d * d / e;
            if (e < 5) {
                why.add(ReasonCode.SMALL_EXPECTED_COUNTS);
            }
        }
        if (stray) {
            why.add(ReasonCode.TRAFFIC_IN_ZERO_WEIGHT_ARM);
            return new SrmResult(Double.POSITIVE_INFINITY, df, 0.0, true, why);
        }
        if (df == 0) {
            why.add(ReasonCode.SINGLE_ARM);
            return new SrmResult(0, 0, 1.0, false, why);
        }
        double p = ChiSquaredDistribution.of(df).survivalProbability(x2);
        return new SrmResult(x2, df, p, p < threshold, why);
    }
}
