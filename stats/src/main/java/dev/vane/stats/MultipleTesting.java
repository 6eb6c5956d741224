package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Adjusted p-values across several comparisons (variants x metrics), in the input order; compare each with alpha.
 * Same definitions as R's {@code p.adjust}.
 */
public final class MultipleTesting {
    private MultipleTesting() {}

    /**
     * Holm-Bonferroni (controls the family-wise error rate): with p sorted ascending,
     * {@code adj_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))}.
     */
    public static double[] holm(double... pValues) {
        Integer[] order = order(pValues);
        int m = pValues.length;
        double[] out = new double[m];
        double running = 0;
        for (int r = 0; r < m; r++) {
            int idx = order[r];
            running = Math.max(running, Math.min(1.0, (m - r) * pValues[idx]));
            out[idx] = running;
        }
        return out;
    }

    /**
     * Benjamini-Hochberg (controls the false discovery rate): with p sorted ascending,
     * {@code adj_(i) = min_{j >= i} min(1, m p_(j) / j)}.
     */
    public static double[] benjaminiHochberg(double... pValues) {
        Integer[] order = order(pValues);
        int m = pValues.length;
        double[] out = new double[m];
        double running = 1.0;
        for (int r = m - 1; r >= 0; r--) {
            int idx = order[r];
            running = Math.min(running, Math.min(1.0, (double) m * pValues[idx] / (r + 1)));
            out[idx] = running;
        }
        return out;
    }

    private static Integer[] order(double[] pValues) {
        Checks.notNull("pValues", pValues);
        for (int i = 0; i < pValues.length; i++) {
            Checks.closedUnit("pValues[" + i + "]", pValues[i]);
        }
        Integer[] order = IntStream.range(0, pValues.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> pValues[i]));
        return order;
    }
}
