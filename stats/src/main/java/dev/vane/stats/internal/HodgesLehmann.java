package dev.vane.stats.internal;

/**
 * Hodges-Lehmann two-sample shift: the median of the n_c n_t differences treatment - control, found exactly
 * without materialising them. Counting pairs with difference &lt;= d is O(distinct values) on sorted data (two
 * pointers), and that count is monotone in d, so a binary search over the total order of doubles (at most 64
 * steps) finds the smallest computed difference d with count(&lt;= d) &gt;= k, which is the k-th order statistic.
 */
final class HodgesLehmann {
    private HodgesLehmann() {}

    static double shift(WeightedSample control, WeightedSample treatment) {
        long total = Math.multiplyHigh(control.total(), treatment.total()) == 0
                ? control.total() * treatment.total() : -1;
        if (total <= 0) {
            return total == 0 ? Double.NaN : approximateMedianHuge(control, treatment);
        }
        long[] suffix = suffixCounts(control);
        if (total % 2 == 1) {
            return kth(control, treatment, suffix, (total + 1) / 2);
        }
        double a = kth(control, treatment, suffix, total / 2);
        double b = kth(control, treatment, suffix, total / 2 + 1);
        return a + (b - a) / 2 + 0.0;
    }

    private static double approximateMedianHuge(WeightedSample c, WeightedSample t) {
        // More than 2^63 pairs: fall back to counting in doubles (relative rank error ~1e-16).
        return kthDouble(c, t, suffixCounts(c), (double) c.total() * t.total() / 2);
    }

    private static long[] suffixCounts(WeightedSample control) {
        long[] suffix = new long[control.distinct() + 1];
        for (int i = control.distinct() - 1; i >= 0; i--) {
            suffix[i] = suffix[i + 1] + control.count(i);
        }
        return suffix;
    }

    /** Number of pairs with treatment - control &lt;= d (saturating at Long.MAX_VALUE). */
    private static double countAtMost(WeightedSample c, WeightedSample t, long[] suffix, double d) {
        double count = 0;
        int i = 0;
        for (int j = 0; j < t.distinct(); j++) {
            double y = t.value(j);
            // first control index with y - x <= d; monotone in j because y grows
            while (i < c.distinct() && y - c.value(i) > d) {
                i++;
            }
            count += (double) t.count(j) * suffix[i];
        }
        return count;
    }

    private static long key(double d) {
        long bits = Double.doubleToRawLongBits(d);
        return bits ^ ((bits >> 63) & Long.MAX_VALUE);
    }

    private static double fromKey(long key) {
        return Double.longBitsToDouble(key ^ ((key >> 63) & Long.MAX_VALUE));
    }

    private static double kth(WeightedSample c, WeightedSample t, long[] suffix, long k) {
        return kthDouble(c, t, suffix, k);
    }

    private static double kthDouble(WeightedSample c, WeightedSample t, long[] suffix, double k) {
        long lo = key(t.value(0) - c.value(c.distinct() - 1));
        long hi = key(t.value(t.distinct() - 1) - c.value(0));
        // invariant: count(fromKey(hi)) >= k
        while (lo < hi) {
            long mid = (lo >> 1) + (hi >> 1) + (lo & hi & 1);
            if (countAtMost(c, t, suffix, fromKey(mid)) >= k) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return fromKey(lo) + 0.0;
    }
}
