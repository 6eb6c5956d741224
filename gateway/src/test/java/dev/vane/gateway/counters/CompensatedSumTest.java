package dev.vane.gateway.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Compensated sums against exact BigDecimal sums of the same doubles. */
class CompensatedSumTest {

  /** Reference: the exact sum of the doubles, rounded once. */
  private static double exact(double[] xs, boolean squares) {
    BigDecimal s = BigDecimal.ZERO;
    for (double x : xs) {
      BigDecimal b = new BigDecimal(x);
      s = s.add(squares ? b.multiply(b) : b);
    }
    return s.round(MathContext.DECIMAL128).doubleValue();
  }

  @Test
  void smallValuesBetweenHugeOnesAreNotLost() {
    double[] xs = new double[3000];
    for (int i = 0; i < xs.length; i += 3) {
      xs[i] = 1e12;
      xs[i + 1] = 0.001;
      xs[i + 2] = -1e12;
    }
    CompensatedSum c = new CompensatedSum();
    double naive = 0;
    for (double x : xs) {
      c.add(x);
      naive += x;
    }
    double want = exact(xs, false);
    assertEquals(1.0, want, 1e-12);
    assertEquals(want, c.value(), 1e-12, "the compensation term is itself a plain sum of 3000 errors");
    assertTrue(Math.abs(naive - want) > 0.01, "the data defeats plain summation: " + naive);
  }

  @Test
  void sumsAndSquaresOfWideRangedValuesAreCorrectlyRoundedWithinAnUlp() {
    SplittableRandom r = new SplittableRandom(16);
    for (int round = 0; round < 20; round++) {
      double[] xs = new double[5000];
      for (int i = 0; i < xs.length; i++) {
        double magnitude = Math.pow(10, r.nextInt(-6, 13));
        xs[i] = (r.nextBoolean() ? 1 : -1) * magnitude * r.nextDouble();
      }
      CompensatedSum sum = new CompensatedSum();
      CompensatedSum sq = new CompensatedSum();
      for (double x : xs) {
        sum.add(x);
        sq.addSquare(x);
      }
      double s = exact(xs, false);
      double q = exact(xs, true);
      assertEquals(s, sum.value(), 2 * Math.ulp(s), "round " + round);
      assertEquals(q, sq.value(), 2 * Math.ulp(q), "round " + round);
    }
  }

  @Test
  void anEmptySumIsZero() {
    assertEquals(0.0, new CompensatedSum().value());
  }
}
