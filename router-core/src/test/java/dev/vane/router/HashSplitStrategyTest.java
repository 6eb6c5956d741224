package dev.vane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HashSplitStrategyTest {
  private final AssignmentStrategy hash = AssignmentStrategy.hashSplit();
  private final SplittableRandom rnd = new SplittableRandom(1);

  /** Differential: the inline walk equals GrowthBook's chooseVariation over getBucketRanges. */
  @Test
  void inlineLayoutEqualsGrowthBookRangesAndChooseVariation() {
    SplittableRandom r = new SplittableRandom(42);
    for (int trial = 0; trial < 200; trial++) {
      int k = 2 + r.nextInt(4);
      Object[] spec = new Object[2 * k];
      int left = 10_000;
      for (int i = 0; i < k; i++) {
        int w = i == k - 1 ? left : r.nextInt(left + 1);
        left -= w;
        spec[2 * i] = "a" + i;
        spec[2 * i + 1] = w;
      }
      Experiment e = Fixtures.withCoverage(Fixtures.abn("s" + trial, false, spec), r.nextInt(10_001));
      List<GrowthBookHash.Range> ranges = GrowthBookHash.bucketRanges(k, e.coverageBps() / 10_000.0, e.weights());
      for (int u = 0; u < 500; u++) {
        String unit = "user-" + r.nextInt(1_000_000);
        int idx = GrowthBookHash.chooseVariation(GrowthBookHash.hash(e.salt(), unit, 2), ranges);
        Arm arm = hash.choose(e, unit, rnd);
        assertEquals(idx, arm == null ? -1 : arm.index(), "trial " + trial + " unit " + unit);
      }
    }
  }

  /** The strategy keeps the last salt's hash state: experiments taking turns (and equal salt strings) still agree. */
  @Test
  void experimentsTakingTurnsEachGetTheirOwnSaltsBuckets() {
    Experiment a = Fixtures.abn("salt-a", false, "x", 5000, "y", 5000);
    Experiment b = Fixtures.abn("salt-b", false, "x", 5000, "y", 5000);
    Experiment aAgain = Fixtures.abn(new String("salt-a"), false, "x", 5000, "y", 5000);
    int differ = 0;
    for (int u = 0; u < 2_000; u++) {
      String unit = "user-" + u;
      for (Experiment e : List.of(a, b, aAgain)) {
        double n = GrowthBookHash.hash(e.salt(), unit, 2);
        Arm expected = n < 0.5 ? e.arms().get(0) : e.arms().get(1);
        assertEquals(expected.id(), hash.choose(e, unit, rnd).id(), e.salt() + " " + unit);
      }
      if (!hash.choose(a, unit, rnd).id().equals(hash.choose(b, unit, rnd).id())) {
        differ++;
      }
    }
    assertTrue(differ > 800 && differ < 1200, "the two salts split users independently: " + differ + " of 2000 differ");
  }

  /**
   * 20,000 users over a 50/30/20 split; Pearson chi-square goodness of fit with 2 df must stay under 13.816, the
   * 0.999 quantile of chi-square(2) (published tables; scipy.stats.chi2.ppf(0.999, 2) = 13.815510557964274).
   */
  @Test
  void splitRatiosOverTwentyThousandUsersMatchTheWeights() {
    Experiment e = Fixtures.abn("ratio-salt", false, "a", 5000, "b", 3000, "c", 2000);
    Map<String, Integer> counts = new HashMap<>();
    int n = 20_000;
    for (int u = 0; u < n; u++) {
      counts.merge(hash.choose(e, "u" + u, rnd).id(), 1, Integer::sum);
    }
    double chi2 = 0;
    for (Arm a : e.arms()) {
      double expected = n * a.weightBps() / 10_000.0;
      double d = counts.getOrDefault(a.id(), 0) - expected;
      chi2 += d * d / expected;
    }
    assertTrue(chi2 < 13.815510557964274, "chi2 = " + chi2 + ", counts " + counts);
  }

  @Test
  void requestsWithoutUnitAreSplitAtRandomByTheWeights() {
    Experiment e = Fixtures.canary("s", 2000, false);
    int canary = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      if (hash.choose(e, null, rnd).role() == Role.CANARY) {
        canary++;
      }
    }
    // binomial(20000, 0.2): sd = 56.6; 4.5 sd bound
    assertEquals(4000, canary, 255);
  }

  @Test
  void growingTheCanaryOnlyMovesUsersFromChampionToCanary() {
    Experiment[] ramp = {Fixtures.canary("ramp", 500, false), Fixtures.canary("ramp", 2000, false),
        Fixtures.canary("ramp", 5000, false)};
    int moved = 0;
    for (int u = 0; u < 20_000; u++) {
      String unit = "user-" + u;
      Role before = hash.choose(ramp[0], unit, rnd).role();
      for (int step = 1; step < ramp.length; step++) {
        Role now = hash.choose(ramp[step], unit, rnd).role();
        if (before == Role.CANARY) {
          assertSame(Role.CANARY, now, unit + " left the canary at step " + step);
        } else if (now == Role.CANARY) {
          moved++;
        }
        before = now;
      }
    }
    assertTrue(moved > 8_000, "about 45% of users should have moved, got " + moved);
  }

  @Test
  void unitsOutsideCoverageGetNoArm() {
    Experiment e = Fixtures.withCoverage(Fixtures.abn("cov", false, "a", 5000, "b", 5000), 1000);
    int inside = 0;
    for (int u = 0; u < 10_000; u++) {
      if (hash.choose(e, "u" + u, rnd) != null) {
        inside++;
      }
    }
    assertEquals(1000, inside, 120);
  }

  @Test
  void aNewSaltReRandomisesUsers() {
    Experiment a = Fixtures.abn("salt-1", false, "a", 5000, "b", 5000);
    Experiment b = Fixtures.abn("salt-2", false, "a", 5000, "b", 5000);
    int same = 0;
    for (int u = 0; u < 10_000; u++) {
      if (hash.choose(a, "u" + u, rnd).id().equals(hash.choose(b, "u" + u, rnd).id())) {
        same++;
      }
    }
    assertNotEquals(10_000, same);
    assertEquals(5000, same, 300, "independent salts agree about half the time");
  }
}
