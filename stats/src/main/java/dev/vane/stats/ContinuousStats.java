package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import java.io.Serializable;

/**
 * Sufficient statistics of a continuous metric y for one arm, optionally with a pre-period covariate x for CUPED.
 *
 * <p>Stores the count, the means and the centred second moments ({@code M2 = sum (y - mean)^2}), never raw sums,
 * so that merging is numerically stable: {@link #merge} uses the pairwise update of Chan, Golub and LeVeque,
 * {@link #plus(double, double)} the one-observation update of Welford. The cross moment
 * {@code C = sum (x - meanX)(y - meanY)} is merged the same way, which is all CUPED needs.
 * When no covariate was recorded the covariate fields are 0.
 *
 * @param count number of observations, {@code >= 0}
 * @param mean mean of y (0 when count == 0)
 * @param m2 sum of squared deviations of y from its mean, {@code >= 0}
 * @param covariateMean mean of the covariate x (0 when absent)
 * @param covariateM2 sum of squared deviations of x from its mean, {@code >= 0}
 * @param crossMoment sum of (x - meanX)(y - meanY)
 */
public record ContinuousStats(long count, double mean, double m2, double covariateMean, double covariateM2,
                              double crossMoment) implements Serializable {
    /** No observations. */
    public static final ContinuousStats EMPTY = new ContinuousStats(0, 0, 0, 0, 0, 0);

    public ContinuousStats {
        Checks.nonNegative("count", count);
        Checks.finite("mean", mean);
        Checks.nonNegative("m2", m2);
        Checks.finite("covariateMean", covariateMean);
        Checks.nonNegative("covariateM2", covariateM2);
        Checks.finite("crossMoment", crossMoment);
        if (count == 0 && (mean != 0 || m2 != 0 || covariateMean != 0 || covariateM2 != 0 || crossMoment != 0)) {
            throw new IllegalArgumentException("count: 0 (expected: > 0 when moments are non-zero)");
        }
    }

    /** Summary without covariate. */
    public static ContinuousStats of(long count, double mean, double m2) {
        return new ContinuousStats(count, mean, m2, 0, 0, 0);
    }

    /** Summary from a sample mean and sample standard deviation (divisor n - 1), as printed by most tools. */
    public static ContinuousStats ofMeanAndSd(long count, double mean, double sd) {
        Checks.nonNegative("sd", sd);
        return of(count, mean, count < 2 ? 0 : sd * sd * (count - 1));
    }

    /** Two-pass summary of raw values. */
    public static ContinuousStats ofValues(double... values) {
        Checks.finiteAll("values", values);
        int n = values.length;
        if (n == 0) {
            return EMPTY;
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= n;
        double m2 = 0;
        double comp = 0;
        for (double v : values) {
            double d = v - mean;
            m2 += d * d;
            comp += d;
        }
        // Corrected two-pass algorithm (Chan, Golub, LeVeque): removes the rounding error of the mean.
        m2 = Math.max(0, m2 - comp * comp / n);
        return of(n, mean + comp / n, m2);
    }

    /** Two-pass summary of raw values {@code y} with the pre-period covariate {@code x} of the same units. */
    public static ContinuousStats ofValues(double[] y, double[] x) {
        Checks.finiteAll("y", y);
        Checks.finiteAll("x", x);
        if (y.length != x.length) {
            throw new IllegalArgumentException("x.length: " + x.length + " (expected: y.length " + y.length + ")");
        }
        ContinuousStats ys = ofValues(y);
        ContinuousStats xs = ofValues(x);
        double c = 0;
        for (int i = 0; i < y.length; i++) {
            c += (x[i] - xs.mean) * (y[i] - ys.mean);
        }
        return new ContinuousStats(ys.count, ys.mean, ys.m2, xs.mean, xs.m2, c);
    }

    /**
     * Summary from raw power sums, e.g. Redis counters incremented with {@code HINCRBYFLOAT}. Loses precision
     * when the variance is tiny compared with the squared mean; prefer merging {@link ContinuousStats} values.
     */
    public static ContinuousStats fromSums(long count, double sum, double sumOfSquares) {
        Checks.nonNegative("count", count);
        Checks.finite("sum", sum);
        Checks.nonNegative("sumOfSquares", sumOfSquares);
        if (count == 0) {
            return EMPTY;
        }
        double mean = sum / count;
        return of(count, mean, Math.max(0, sumOfSquares - sum * mean));
    }

    /** Adds one observation without covariate (Welford). */
    public ContinuousStats plus(double y) {
        return plus(y, 0);
    }

    /** Adds one observation y with covariate x (Welford, with the co-moment update). */
    public ContinuousStats plus(double y, double x) {
        Checks.finite("y", y);
        Checks.finite("x", x);
        long n = Math.addExact(count, 1);
        double dy = y - mean;
        double dx = x - covariateMean;
        double newMean = mean + dy / n;
        double newCovMean = covariateMean + dx / n;
        return new ContinuousStats(n, newMean, m2 + dy * (y - newMean), newCovMean,
                covariateM2 + dx * (x - newCovMean), crossMoment + dx * (y - newMean));
    }

    /** The summary of the union of both samples (Chan et al. pairwise update); exact up to rounding. */
    public ContinuousStats merge(ContinuousStats other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        long n = Math.addExact(count, other.count);
        double na = count;
        double nb = other.count;
        double dy = other.mean - mean;
        double dx = other.covariateMean - covariateMean;
        double f = na * nb / n;
        return new ContinuousStats(n,
                mean + dy * (nb / n),
                m2 + other.m2 + dy * dy * f,
                covariateMean + dx * (nb / n),
                covariateM2 + other.covariateM2 + dx * dx * f,
                crossMoment + other.crossMoment + dx * dy * f);
    }

    /** Sample variance of y = M2 / (count - 1), or 0 when count < 2. */
    public double variance() {
        return count < 2 ? 0.0 : m2 / (count - 1);
    }

    /** Sample standard deviation of y, or 0 when count < 2. */
    public double standardDeviation() {
        return Math.sqrt(variance());
    }

    /** Sample variance of the covariate, or 0 when count < 2. */
    public double covariateVariance() {
        return count < 2 ? 0.0 : covariateM2 / (count - 1);
    }

    /** Sample covariance of covariate and metric, or 0 when count < 2. */
    public double covariance() {
        return count < 2 ? 0.0 : crossMoment / (count - 1);
    }
}
