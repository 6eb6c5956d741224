package dev.vane.stats.internal;

import dev.vane.stats.Alternative;
import dev.vane.stats.Interval;
import dev.vane.stats.ReasonCode;
import dev.vane.stats.TestResult;
import java.util.EnumSet;
import java.util.Set;

/**
 * The moments shared by the z and Welch tests, in one place: the difference, its standard error, and the
 * delta-method variance of the relative lift.
 */
final class MeanDifference {
    private MeanDifference() {}

    /**
     * Builds a result from the arm means and the variances of those means (variance / n).
     *
     * @param seTest standard error used for the statistic (pooled for the z-test, unpooled for Welch)
     * @param critical critical value for the interval
     * @param df degrees of freedom, +infinity for z
     */
    static TestResult build(double meanC, double varMeanC, double meanT, double varMeanT, double seTest,
                            double critical, double df, Alternative alternative, Set<ReasonCode> reasons) {
        EnumSet<ReasonCode> why = reasons.isEmpty() ? EnumSet.noneOf(ReasonCode.class) : EnumSet.copyOf(reasons);
        double diff = meanT - meanC;
        double seDiff = Math.sqrt(varMeanC + varMeanT);
        double statistic;
        double p;
        if (seTest > 0) {
            statistic = diff / seTest;
            p = Double.isInfinite(df) ? Tails.pNormal(statistic, alternative) : Tails.pStudent(statistic, df, alternative);
        } else {
            // The limit as the standard error goes to 0 with the difference fixed: no evidence either way when
            // d == 0 (statistic 0, p 1, by convention), otherwise a statistic of +-infinity and its tail.
            why.add(ReasonCode.ZERO_VARIANCE);
            statistic = diff == 0 ? 0.0 : Math.copySign(Double.POSITIVE_INFINITY, diff);
            p = diff == 0 ? 1.0 : Tails.pNormal(statistic, alternative);
        }
        Interval ci;
        if (seDiff > 0) {
            ci = Tails.interval(diff, seDiff, critical, alternative);
        } else {
            why.add(ReasonCode.ZERO_VARIANCE);
            ci = Tails.collapsed(diff, alternative);
        }
        double lift = Double.NaN;
        Interval liftCi = Interval.UNDEFINED;
        if (meanC == 0) {
            why.add(ReasonCode.ZERO_CONTROL_MEAN);
        } else {
            lift = meanT / meanC - 1;
            // Delta method for g(mC, mT) = mT / mC: Var ~ varT / mC^2 + mT^2 varC / mC^4.
            double varLift = varMeanT / (meanC * meanC) + meanT * meanT * varMeanC / (meanC * meanC * meanC * meanC);
            double seLift = Math.sqrt(varLift);
            liftCi = seLift > 0 ? Tails.interval(lift, seLift, critical, alternative)
                    : Tails.collapsed(lift, alternative);
        }
        return new TestResult(statistic, df, p, diff, ci, seDiff, critical, lift, liftCi, why);
    }

    /** A result without a test (empty arm, too few observations); {@code critical} as far as it is known. */
    static TestResult undefined(double diff, double df, double critical, Set<ReasonCode> reasons) {
        return new TestResult(Double.NaN, df, Double.NaN, diff, Interval.UNDEFINED, Double.NaN, critical, Double.NaN,
                Interval.UNDEFINED, reasons);
    }
}
