package dev.vane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DriftTest {
  static final double[] A = {0.001, 0.299, -0.274, -0.891, -0.455, -0.992, 0.06, 1.34, -0.492, -0.62, 0.49, 0.357,
      0.105, -0.93, -0.029, 0.695, -1.344, -0.458, -1.901, -1.29, -1.842, -0.235, -1.267, 0.271, 0.157, -0.187, -2.517,
      -0.539, -0.049, 0.113, -1.53, -0.478, -0.979, -0.809, 1.061, -0.808, -0.033, 0.884, -0.584, -0.112};
  static final double[] B = {0.633, 0.577, -0.97, 0.591, 2.131, -1.357, 1.531, 0.643, -0.27, 2.9, 1.415, -0.939,
      0.589, 1.192, 0.273, 1.319, 0.42, 1.301, 2.226, -0.311, 0.744, -0.056, 0.653, -0.925, -0.195, 0.265, 1.579, 1.874,
      -1.088, -0.454, 1.276, -1.891, -0.056, 0.383, 2.008, 1.327, 0.107, 0.058, 0.2, 2.328, -0.014, 0.136, 0.923, 0.355,
      0.263, -0.837, 0.486, -0.032, 1.899, 1.284, 0.471, 1.302, 0.092, 1.763, 0.494};

  /**
   * SciPy 1.17.1: {@code ks_2samp(A, B).statistic} = 0.45454545454545453; {@code kstwobign.sf(sqrt(40*55/95) * D)} =
   * 1.3966961601635287e-04 (ks_2samp's own p-values are its exact 7.57e-05 and, with method='asymp', 7.33e-05: it
   * evaluates the finite-n distribution at n = round(n m / (n + m)), so small samples differ by up to 2x; the
   * limiting distribution used here is conservative for them). PSI by the same definition in NumPy (deciles by
   * inverted CDF, shares floored at 1e-4) = 2.272074383403686.
   */
  @Test
  void rawSamplesMatchScipy() {
    DriftResult r = Drift.compare(A, B);
    assertEquals(0.45454545454545453, r.ksStatistic(), 1e-15);
    assertEquals(1.3966961601635287e-04, r.ksPValue(), 1e-12);
    assertEquals(2.272074383403686, r.psi(), 1e-12);
  }

  /** SciPy: kstwobign.sf at 0.3, 0.8, 1.0, 1.5, 2.5, to 1e-12 (both series of the limiting distribution). */
  @Test
  void theKolmogorovTailMatchesScipy() {
    assertEquals(0.9999906941986655, Drift.kolmogorovSurvival(0.3), 1e-12);
    assertEquals(0.5441424115741981, Drift.kolmogorovSurvival(0.8), 1e-12);
    assertEquals(0.26999967167735456, Drift.kolmogorovSurvival(1.0), 1e-12);
    assertEquals(0.022217962616525127, Drift.kolmogorovSurvival(1.5), 1e-12);
    assertEquals(7.453306344157342e-06, Drift.kolmogorovSurvival(2.5), 1e-15);
  }

  /**
   * Histograms of small integers hold them exactly, so D equals SciPy's on the raw values: x = i mod 50 (5000
   * values), y = i mod 52 (6000): ks_2samp D = 0.03833333333333333, kstwobign p = 6.608363457461309e-04
   * (ks_2samp's asymp p 6.434e-04, 2.7% lower, as above).
   */
  @Test
  void histogramsOfIntegersMatchScipyExactly() {
    long[] x = new long[5000];
    long[] y = new long[6000];
    for (int i = 0; i < x.length; i++) {
      x[i] = i % 50;
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = i % 52;
    }
    DriftResult r = Drift.compare(LatencyStats.ofValues(x), LatencyStats.ofValues(y));
    assertEquals(0.03833333333333333, r.ksStatistic(), 1e-12);
    assertEquals(6.608363457461309e-04, r.ksPValue(), 1e-12);
  }

  /**
   * A known shift is found and identical distributions are not: over 200 seeded runs of 2,000 vs 2,000 normal values,
   * a 0.2 sd shift is detected (p < 0.05) in every run and equal distributions in about 5% of runs (at most 10%).
   */
  @Test
  void aShiftIsDetectedAndIdenticalDistributionsAreNot() {
    int shifted = 0;
    int same = 0;
    for (int run = 0; run < 200; run++) {
      SplittableRandom rnd = new SplittableRandom(run);
      double[] c = new double[2000];
      double[] t = new double[2000];
      double[] u = new double[2000];
      for (int i = 0; i < c.length; i++) {
        c[i] = rnd.nextGaussian();
        t[i] = rnd.nextGaussian() + 0.2;
        u[i] = rnd.nextGaussian();
      }
      shifted += Drift.compare(c, t).ksPValue() < 0.05 ? 1 : 0;
      same += Drift.compare(c, u).ksPValue() < 0.05 ? 1 : 0;
    }
    assertTrue(shifted >= 198, "shift found in " + shifted + " of 200");
    assertTrue(same <= 20, "false alarms in " + same + " of 200");
  }

  @Test
  void anEmptyArmHasNoFigures() {
    DriftResult r = Drift.compare(new double[0], new double[] {1});
    assertTrue(Double.isNaN(r.ksStatistic()) && Double.isNaN(r.psi()));
    assertEquals(java.util.Set.of(ReasonCode.EMPTY_ARM), r.reasons());
    assertEquals(0, Drift.compare(A, A).psi(), 1e-15);
    assertEquals(0, Drift.compare(A, A).ksStatistic(), 0);
  }
}
