package dev.vane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShadowTest {
  /** The bucket written out the slow way: FNV-1a over the code units, the murmur3 finaliser, modulo 10,000. */
  static int referenceBucket(String id) {
    long h = 0x811c9dc5L;
    for (char c : id.toCharArray()) {
      h = ((h ^ c) * 0x01000193L) & 0xffffffffL;
    }
    h ^= h >>> 16;
    h = (h * 0x85ebca6bL) & 0xffffffffL;
    h ^= h >>> 13;
    h = (h * 0xc2b2ae35L) & 0xffffffffL;
    h ^= h >>> 16;
    return (int) (h % 10_000);
  }

  @Test
  void theBucketIsTheReferenceHashsOnEveryIdShape() {
    String[] ids = {"", "a", "req-0", "req-1", "0123456789abcdef0123456789abcdef", "ünïcode-✓", "x".repeat(200)};
    for (String id : ids) {
      assertEquals(referenceBucket(id), Shadow.bucket(id), id);
    }
    for (int i = 0; i < 10_000; i++) {
      assertEquals(referenceBucket("r" + i), Shadow.bucket("r" + i));
    }
  }

  /**
   * Sequential ids (a client counting its requests) spread evenly: over 100,000 of them each of ten comparePercent
   * shares is met within 4.5 binomial standard deviations (p < 1e-5 each for a fair coin).
   */
  @Test
  void sequentialRequestIdsAreComparedAtTheConfiguredShare() {
    int n = 100_000;
    for (int bps : new int[] {100, 1000, 2500, 5000, 9000}) {
      Shadow s = new Shadow("s", "e", 10_000, 0, bps);
      int picked = 0;
      for (int i = 0; i < n; i++) {
        if (s.compares("req-" + i)) {
          picked++;
        }
      }
      double p = bps / 10_000.0;
      double sd = Math.sqrt(n * p * (1 - p));
      assertTrue(Math.abs(picked - n * p) < 4.5 * sd, bps + " bps: " + picked + " of " + n);
    }
  }

  @Test
  void everyAndNoCopyAtTheEnds() {
    assertTrue(new Shadow("s", "e", 10_000, 0).compares("anything"), "the default compares every copy");
    assertTrue(new Shadow("s", "e", 10_000, 0, 10_000).compares("x"));
    assertFalse(new Shadow("s", "e", 10_000, 0, 0).compares("x"));
  }

  @Test
  void aCompareShareOutOfRangeIsRefusedWithItsRule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Shadow("s", "e", 10_000, 0, 10_001));
    assertEquals("compareBps: 10001 (expected: 0..10000)", e.getMessage());
  }
}
