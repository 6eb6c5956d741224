package dev.vane.stats.internal;

import java.util.random.RandomGenerator;

/**
 * Allocation-free Gamma(shape, 1) sampling (Marsaglia and Tsang 2000): for shape a &gt;= 1 with d = a - 1/3 and
 * c = 1 / sqrt(9 d), draw z ~ N(0, 1), v = (1 + c z)^3, accept d v when
 * {@code log U < z^2/2 + d - d v + d log v} (with the cheap squeeze {@code U < 1 - 0.0331 z^4} first).
 * For a &lt; 1, Gamma(a) = Gamma(a + 1) U^(1/a). Callers precompute d and c per shape.
 */
public final class Gamma {
    private Gamma() {}

    /** d = a - 1/3 for the shape used by the sampler (a + 1 when a &lt; 1). */
    public static double d(double shape) {
        return (shape < 1 ? shape + 1 : shape) - 1.0 / 3;
    }

    /** c = 1 / sqrt(9 d). */
    public static double c(double d) {
        return 1 / Math.sqrt(9 * d);
    }

    /** One draw from Gamma(shape, 1), given d and c of {@link #d}/{@link #c}. */
    public static double sample(RandomGenerator rng, double shape, double d, double c) {
        double g;
        while (true) {
            double z = rng.nextGaussian();
            double v = 1 + c * z;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = rng.nextDouble();
            double z2 = z * z;
            if (u < 1 - 0.0331 * z2 * z2 || Math.log(u) < 0.5 * z2 + d * (1 - v + Math.log(v))) {
                g = d * v;
                break;
            }
        }
        if (shape < 1) {
            g *= Math.pow(rng.nextDouble(), 1 / shape);
        }
        return g;
    }

    /** One draw from Gamma(shape, 1). */
    public static double sample(RandomGenerator rng, double shape) {
        double d = d(shape);
        return sample(rng, shape, d, c(d));
    }

    /** One draw from Beta(a, b) = Ga / (Ga + Gb). */
    public static double beta(RandomGenerator rng, double a, double b) {
        double x = sample(rng, a);
        double y = sample(rng, b);
        return x / (x + y);
    }
}
