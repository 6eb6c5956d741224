package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import dev.vane.stats.internal.WeightedSample;
import java.util.EnumSet;

/**
 * Distribution shift between two samples: the two-sample Kolmogorov-Smirnov test and the population stability
 * index ({@link DriftResult}). On histograms ({@link LatencyStats}) each bucket's values count as tied at its
 * representative value, as in {@link Comparison#mannWhitney(LatencyStats, LatencyStats, boolean, Alternative)}: D
 * is then exact for the bucketed data, never above D on the raw values, and below it by at most the larger of the
 * two samples' shares in the bucket where the raw maximum falls (values closer than the histogram's precision are
 * not told apart); the p-value is correspondingly higher (the gateway's {@code ResponseResultsTest}: 2x SciPy's at
 * p near 1e-6).
 */
public final class Drift {
    /** Share floor of an empty PSI bin (the PSI of an empty bin is otherwise infinite). */
    public static final double PSI_FLOOR = 1e-4;
    /** Bins of the PSI: the control's deciles. */
    public static final int PSI_BINS = 10;

    private Drift() {}

    /** Drift between two raw samples. */
    public static DriftResult compare(double[] control, double[] treatment) {
        Checks.notNull("control", control);
        Checks.notNull("treatment", treatment);
        return compare(WeightedSample.of(control), WeightedSample.of(treatment));
    }

    /** Drift between two histograms (bucketed values; see the class comment). */
    public static DriftResult compare(LatencyStats control, LatencyStats treatment) {
        Checks.notNull("control", control);
        Checks.notNull("treatment", treatment);
        return compare(control.toWeightedSample(), treatment.toWeightedSample());
    }

    static DriftResult compare(WeightedSample c, WeightedSample t) {
        if (c.total() == 0 || t.total() == 0) {
            return new DriftResult(Double.NaN, Double.NaN, Double.NaN, EnumSet.of(ReasonCode.EMPTY_ARM));
        }
        double n = c.total();
        double m = t.total();
        // merge the two sorted supports: D is reached at one of the distinct values
        double d = 0;
        long cc = 0;
        long ct = 0;
        int i = 0;
        int j = 0;
        while (i < c.distinct() || j < t.distinct()) {
            double x = Math.min(i < c.distinct() ? c.value(i) : Double.POSITIVE_INFINITY,
                j < t.distinct() ? t.value(j) : Double.POSITIVE_INFINITY);
            while (i < c.distinct() && c.value(i) == x) {
                cc += c.count(i++);
            }
            while (j < t.distinct() && t.value(j) == x) {
                ct += t.count(j++);
            }
            d = Math.max(d, Math.abs(cc / n - ct / m));
        }
        double lambda = Math.sqrt(n * m / (n + m)) * d;
        return new DriftResult(d, kolmogorovSurvival(lambda), psi(c, t), EnumSet.noneOf(ReasonCode.class));
    }

    /**
     * P(K > lambda) for Kolmogorov's limiting distribution: 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2) for
     * lambda >= 1, else 1 - sqrt(2 pi) / lambda sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 lambda^2)) (both converge fast
     * where they are used).
     */
    static double kolmogorovSurvival(double lambda) {
        if (lambda <= 0) {
            return 1;
        }
        if (lambda < 1) {
            double s = 0;
            for (int k = 1; k <= 20; k++) {
                s += Math.exp(-(2 * k - 1) * (2 * k - 1) * Math.PI * Math.PI / (8 * lambda * lambda));
            }
            return Math.min(1, Math.max(0, 1 - Math.sqrt(2 * Math.PI) / lambda * s));
        }
        double s = 0;
        for (int k = 1; k <= 100; k++) {
            double term = Math.exp(-2.0 * k * k * lambda * lambda);
            s += (k % 2 == 1 ? term : -term);
            if (term < 1e-300) {
                break;
            }
        }
        return Math.min(1, Math.max(0, 2 * s));
    }

    /**
     * PSI over bins (-inf, e1], (e1, e2], ..., (e9, +inf) whose edges are the control's deciles (tied deciles make one
     * edge, so a control with few distinct values has fewer bins).
     */
    static double psi(WeightedSample c, WeightedSample t) {
        java.util.TreeSet<Double> edges = new java.util.TreeSet<>();
        long cum = 0;
        int k = 1;
        for (int i = 0; i < c.distinct() && k < PSI_BINS; i++) {
            cum += c.count(i);
            while (k < PSI_BINS && cum >= k * (double) c.total() / PSI_BINS) {
                edges.add(c.value(i));
                k++;
            }
        }
        edges.add(Double.POSITIVE_INFINITY);
        double psi = 0;
        double lo = Double.NEGATIVE_INFINITY;
        for (double hi : edges) {
            double pc = Math.max(PSI_FLOOR, share(c, lo, hi));
            double pt = Math.max(PSI_FLOOR, share(t, lo, hi));
            psi += (pt - pc) * Math.log(pt / pc);
            lo = hi;
        }
        return psi;
    }

    /** The share of the sample in (lo, hi]. */
    private static double share(WeightedSample s, double lo, double hi) {
        long n = 0;
        for (int i = 0; i < s.distinct(); i++) {
            if (s.value(i) > lo && s.value(i) <= hi) {
                n += s.count(i);
            }
        }
        return n / (double) s.total();
    }
}
