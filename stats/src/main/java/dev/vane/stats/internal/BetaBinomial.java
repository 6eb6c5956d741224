package dev.vane.stats.internal;

import dev.vane.stats.Interval;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.statistics.distribution.BetaDistribution;

/** Beta posteriors of conversion rates: P(X &gt; Y) in closed form and the expected loss. */
public final class BetaBinomial {
    private static final int PANELS = 256;
    private static final double[] GL_X = {-0.9602898564975363, -0.7966664774136267, -0.5255324099163290,
        -0.1834346424956498, 0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363};
    private static final double[] GL_W = {0.1012285362903763, 0.2223810344533745, 0.3137066458778873,
        0.3626837833783620, 0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763};

    private BetaBinomial() {}

    /** Equal-tailed interval holding {@code level} of Beta(a, b). */
    public static Interval credibleInterval(double a, double b, double level) {
        BetaDistribution d = BetaDistribution.of(a, b);
        double tail = (1 - level) / 2;
        return new Interval(d.inverseCumulativeProbability(tail), d.inverseSurvivalProbability(tail));
    }

    /**
     * P(X &gt; Y) for independent X ~ Beta(a1, b1), Y ~ Beta(a2, b2).
     *
     * <p>When a1 is an integer (Evan Miller's formula; Cook 2005):
     * <pre>
     *   P = sum_{i=0}^{a1-1} B(a2 + i, b1 + b2) / ((b1 + i) B(1 + i, b1) B(a2, b2))
     * </pre>
     * Successive terms have the ratio {@code (a2 + i)(b1 + i) / ((a2 + b1 + b2 + i)(1 + i))}, so the terms are
     * unimodal with the peak at {@code i* = ceil((a2 b1 - a2 - b1 - b2) / (b2 + 1))}. The sum starts at the peak
     * (one log-Beta evaluation) and walks outwards by that ratio until terms no longer change the sum, so it costs
     * O(sd) terms instead of O(a1) and never under- or overflows. If a1 is not an integer the symmetries
     * P(X &gt; Y) = 1 - P(Y &gt; X) and P(X &gt; Y) = P(1 - Y &gt; 1 - X) move an integer parameter into place; with no
     * integer parameter at all it integrates {@code E[F_Y(X)]} numerically (Gauss-Legendre, error ~1e-10).
     */
    public static double probabilityGreater(double a1, double b1, double a2, double b2) {
        Checks.positive("a1", a1);
        Checks.positive("b1", b1);
        Checks.positive("a2", a2);
        Checks.positive("b2", b2);
        if (isInteger(a1)) {
            return sum(a1, b1, a2, b2);
        }
        if (isInteger(a2)) {
            return 1 - sum(a2, b2, a1, b1);
        }
        if (isInteger(b2)) {
            return sum(b2, a2, b1, a1);
        }
        if (isInteger(b1)) {
            return 1 - sum(b1, a1, b2, a2);
        }
        return integrate(a1, b1, a2, b2);
    }

    /**
     * Expected loss of choosing the arm with rate X when Y might be better: E[max(Y - X, 0)]
     * = mean(Y) P(Y' &gt; X) - mean(X) P(Y &gt; X'), where Y' ~ Beta(a2 + 1, b2) and X' ~ Beta(a1 + 1, b1).
     */
    public static double expectedLoss(double a1, double b1, double a2, double b2) {
        double meanX = a1 / (a1 + b1);
        double meanY = a2 / (a2 + b2);
        double loss = meanY * probabilityGreater(a2 + 1, b2, a1, b1) - meanX * probabilityGreater(a2, b2, a1 + 1, b1);
        return Math.max(0, loss);
    }

    private static boolean isInteger(double x) {
        return x == Math.rint(x) && x < 1e15;
    }

    private static double sum(double a1, double b1, double a2, double b2) {
        long terms = (long) a1;
        double root = (a2 * b1 - a2 - b1 - b2) / (b2 + 1);
        long peak = root <= 0 ? 0 : (long) Math.min(Math.ceil(root), terms - 1);
        double logPeak = Beta.logBeta(a2 + peak, b1 + b2) - Math.log(b1 + peak) - Beta.logBeta(1 + peak, b1)
                - Beta.logBeta(a2, b2);
        double sum = 1.0;
        double term = 1.0;
        for (long i = peak + 1; i < terms; i++) { // upwards: term_i = term_{i-1} * r(i-1)
            double j = i - 1;
            term *= (a2 + j) * (b1 + j) / ((a2 + b1 + b2 + j) * (1 + j));
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        term = 1.0;
        for (long i = peak - 1; i >= 0; i--) { // downwards: term_i = term_{i+1} / r(i)
            double j = i;
            term /= (a2 + j) * (b1 + j) / ((a2 + b1 + b2 + j) * (1 + j));
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        double p = Math.exp(logPeak + Math.log(sum));
        return Math.min(1.0, Math.max(0.0, p));
    }

    /**
     * E[F_Y(X)] = integral over u in (0,1) of F_Y(Q_X(u)). The integrand has power-law singularities at u = 0 and 1,
     * so u = w(s) = s^4 / (s^4 + (1 - s)^4) flattens both ends before composite Gauss-Legendre in s.
     */
    private static double integrate(double a1, double b1, double a2, double b2) {
        BetaDistribution x = BetaDistribution.of(a1, b1);
        BetaDistribution y = BetaDistribution.of(a2, b2);
        double total = 0;
        double h = 1.0 / PANELS;
        for (int k = 0; k < PANELS; k++) {
            double mid = (k + 0.5) * h;
            for (int g = 0; g < GL_X.length; g++) {
                double s = mid + 0.5 * h * GL_X[g];
                double s4 = s * s * s * s;
                double r = 1 - s;
                double r4 = r * r * r * r;
                double den = s4 + r4;
                double u = s4 / den;
                double du = 4 * s * s * s * r * r * r / (den * den);
                double xu = u < 0.5 ? x.inverseCumulativeProbability(u) : x.inverseSurvivalProbability(r4 / den);
                total += 0.5 * h * GL_W[g] * du * y.cumulativeProbability(xu);
            }
        }
        return total;
    }
}
