package dev.vane.gateway.counters;

/**
 * A running sum with Neumaier's compensation (an improved Kahan summation): the rounding error of each addition is
 * carried in a second double and added back when read, so the result is as accurate as if summed in about twice the
 * precision, whatever the number of terms and their order. Not thread-safe; {@link OutcomeCounters} guards it.
 *
 * <pre>
 * t = s + x
 * c += |s| >= |x| ? (s - t) + x : (x - t) + s   // what t lost of the smaller operand, exactly
 * s = t
 * value = s + c
 * </pre>
 *
 * Plain summation of n terms errs by up to about n * 2^-53 of the sum of |terms|; this by about 2^-53 of the sum
 * plus n * 2^-106 of the sum of |terms|. It matters for outcome sums because the variance is the small difference
 * {@code sumSq - sum^2 / n} of two large ones, and a feedback value of 1e12 next to values near 1 would otherwise
 * swamp them.
 */
final class CompensatedSum {
  private double sum;
  private double compensation;

  void add(double x) {
    double t = sum + x;
    if (Math.abs(sum) >= Math.abs(x)) {
      compensation += (sum - t) + x;
    } else {
      compensation += (x - t) + sum;
    }
    sum = t;
  }

  /** Adds x * x, including the rounding error of the product itself (exact by fused multiply-add). */
  void addSquare(double x) {
    double p = x * x;
    add(p);
    compensation += Math.fma(x, x, -p);
  }

  /** The sum, rounded once to a double; 0 when nothing was added. */
  double value() {
    return sum + compensation;
  }
}
