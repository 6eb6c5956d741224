package dev.vane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryStickyStoreTest {
  private final AtomicLong now = new AtomicLong();

  private StickyStore.Claim claim(StickyStore s, String unit, String arm, String replaceable) {
    StickyStore.Claim c = s.claim("e", "salt", unit, arm, replaceable).toCompletableFuture().join();
    return new StickyStore.Claim(c.arm(), c.created()); // first exposures: their own tests below
  }

  @Test
  void aNewClaimRecordsTheHourOfItsFirstExposureAndLaterLooksReturnIt() {
    AtomicLong wall = new AtomicLong(java.time.Instant.parse("2026-12-06T20:41:07Z").toEpochMilli());
    long hour = java.time.Instant.parse("2026-12-06T20:00:00Z").toEpochMilli();
    InMemoryStickyStore s = new InMemoryStickyStore(100, Duration.ofDays(30), now::get, wall::get);
    assertEquals(new StickyStore.Claim("a", true, hour), s.claim("e", "salt", "u", "a", null).toCompletableFuture()
        .join());
    wall.addAndGet(Duration.ofDays(3).toMillis());
    now.addAndGet(Duration.ofDays(3).toNanos());
    assertEquals(new StickyStore.Stored("a", hour), s.find("e", "salt", "u"), "a request touches, and keeps it");
    now.addAndGet(Duration.ofDays(1).toNanos());
    assertEquals(new StickyStore.Stored("a", hour), s.find("e", "salt", "u"));
    assertEquals(new StickyStore.Claim("a", false, hour), s.claim("e", "salt", "u", "b", null).toCompletableFuture()
        .join());
    long later = FirstExposure.hour(wall.get());
    assertEquals(new StickyStore.Claim("b", true, later), s.claim("e", "salt", "u", "b", "a").toCompletableFuture()
        .join(), "moved off a replaceable arm: first exposed to the new arm now");
    assertEquals(new StickyStore.Stored("b", later), s.find("e", "salt", "u"));
    assertNull(s.find("e", "salt", "nobody"));
  }

  @Test
  void aClockBeforeTheOriginRecordsNoFirstExposure() {
    InMemoryStickyStore s = new InMemoryStickyStore(100, Duration.ofMinutes(1), now::get, () -> 0L);
    s.claim("e", "salt", "u", "a", null).toCompletableFuture().join();
    assertEquals(new StickyStore.Stored("a", FirstExposure.UNKNOWN), s.find("e", "salt", "u"));
  }

  @Test
  void ticksAreComparedModuloTheirBitsSoALongUptimeDoesNotExpireLiveUnits() {
    // 2^24 ticks of ttl / 64 = 1 s each: 194 days; a unit requested every 30 s stays across the wrap
    InMemoryStickyStore s = new InMemoryStickyStore(100, Duration.ofSeconds(64), now::get);
    now.set((1L << 24) * 1_000_000_000L - Duration.ofSeconds(90).toNanos());
    claim(s, "u", "a", null);
    for (int i = 0; i < 6; i++) {
      now.addAndGet(Duration.ofSeconds(30).toNanos());
      assertEquals("a", s.peek("e", "salt", "u"), "request " + i);
    }
    now.addAndGet(Duration.ofSeconds(70).toNanos());
    assertNull(s.peek("e", "salt", "u"), "expired after the wrap as before it");
  }

  @Test
  void firstWriteWins() {
    InMemoryStickyStore s = new InMemoryStickyStore(100, Duration.ofMinutes(1), now::get);
    assertEquals(new StickyStore.Claim("a", true), claim(s, "u", "a", null));
    assertEquals(new StickyStore.Claim("a", false), claim(s, "u", "b", null));
    assertEquals("a", s.peek("e", "salt", "u"));
  }

  @Test
  void aReplaceableArmIsOverwrittenAndOthersAreNot() {
    InMemoryStickyStore s = new InMemoryStickyStore(100, Duration.ofMinutes(1), now::get);
    claim(s, "u", "old", null);
    assertEquals(new StickyStore.Claim("a", false), claim(s, "u2", "a", null).created() ? claim(s, "u2", "a", null)
        : null);
    assertEquals(new StickyStore.Claim("new", true), claim(s, "u", "new", "old"));
    assertEquals(new StickyStore.Claim("new", false), claim(s, "u", "newer", "old"));
  }

  @Test
  void assignmentsExpireAfterTheTtlWithoutRequests() {
    InMemoryStickyStore s = new InMemoryStickyStore(100, Duration.ofMinutes(10), now::get);
    claim(s, "u", "a", null);
    now.addAndGet(Duration.ofMinutes(9).toNanos());
    assertEquals("a", s.peek("e", "salt", "u"), "still there, and this access refreshes it");
    now.addAndGet(Duration.ofMinutes(9).toNanos());
    assertEquals("a", s.peek("e", "salt", "u"));
    now.addAndGet(Duration.ofMinutes(11).toNanos());
    assertNull(s.peek("e", "salt", "u"));
  }

  @Test
  void theStoreIsBounded() {
    InMemoryStickyStore s = new InMemoryStickyStore(1000, Duration.ofMinutes(10), now::get);
    for (int i = 0; i < 10_000; i++) {
      claim(s, "u" + i, "a", null);
    }
    assertTrue(s.size() <= 1000, "size " + s.size());
  }

  @Test
  void saltsAndExperimentsAreSeparateKeys() {
    InMemoryStickyStore s = new InMemoryStickyStore(100, Duration.ofMinutes(1), now::get);
    claim(s, "u", "a", null);
    assertNull(s.peek("e", "salt2", "u"));
    assertNull(s.peek("e2", "salt", "u"));
    assertFalse(s.claim("e", "salt2", "u", "b", null).toCompletableFuture().join().arm().equals("a"));
  }

  /** The store keeps the last (experiment, salt) pair's hash state: pairs taking turns still find their own units. */
  @Test
  void experimentsTakingTurnsKeepTheirOwnUnits() {
    InMemoryStickyStore s = new InMemoryStickyStore(10_000, Duration.ofMinutes(1), now::get);
    String[][] pairs = {{"e", "salt"}, {"e", "salt2"}, {"e2", "salt"}, {"es", "alt"}};
    for (int u = 0; u < 500; u++) {
      for (int p = 0; p < pairs.length; p++) {
        s.claim(pairs[p][0], pairs[p][1], "u" + u, "arm" + p, null).toCompletableFuture().join();
      }
    }
    for (int u = 0; u < 500; u++) {
      for (int p = 0; p < pairs.length; p++) {
        // equal strings that are not the same instances find the same entries
        assertEquals("arm" + p, s.peek(new String(pairs[p][0]), new String(pairs[p][1]), "u" + u), pairs[p][0] + "/"
            + pairs[p][1] + " u" + u);
      }
    }
  }

  @Test
  void misuseIsRejectedWithTheBadValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new InMemoryStickyStore(0, Duration.ofMinutes(1)));
    assertEquals("maxEntries: 0 (expected: > 0)", e.getMessage());
  }

  @Test
  void aUnitStillRequestedIsKeptWhileNewUnitsOverflowTheStore() {
    InMemoryStickyStore s = new InMemoryStickyStore(1000, Duration.ofMinutes(10), now::get);
    claim(s, "hot", "a", null);
    claim(s, "cold", "a", null);
    for (int i = 0; i < 10_000; i++) {
      claim(s, "u" + i, "b", null);
      if (i % 100 == 0) {
        assertEquals("a", s.peek("e", "salt", "hot"), "hot unit after " + i + " new units");
      }
    }
    assertEquals("a", s.peek("e", "salt", "hot"));
    assertNull(s.peek("e", "salt", "cold"), "least recently used: dropped");
    assertTrue(s.size() <= 1000, "size " + s.size());
  }

  @Test
  void aUnitRequestedWithinEveryTtlNeverExpires() {
    InMemoryStickyStore s = new InMemoryStickyStore(100, Duration.ofMinutes(10), now::get);
    claim(s, "u", "a", null);
    for (int i = 0; i < 200; i++) { // 200 requests 9 minutes apart: 30 hours, 180 ttls, many generations
      now.addAndGet(Duration.ofMinutes(9).toNanos());
      assertEquals("a", s.peek("e", "salt", "u"), "request " + i);
      claim(s, "other-" + i, "b", null);
    }
    assertEquals(new StickyStore.Claim("a", false), claim(s, "u", "b", null));
  }

  @Test
  void anAssignmentExpiresBetweenTheTtlAndATickLaterAndIsThenClaimedAfresh() {
    InMemoryStickyStore s = new InMemoryStickyStore(100, Duration.ofMinutes(64), now::get); // a tick is 1 minute
    claim(s, "u", "a", null);
    claim(s, "v", "a", null);
    claim(s, "w", "a", null);
    now.addAndGet(Duration.ofMinutes(64).toNanos());
    assertEquals("a", s.peek("e", "salt", "u"), "at the ttl: still there");
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertEquals("a", s.peek("e", "salt", "v"), "59 s past the ttl, within its tick");
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertNull(s.peek("e", "salt", "w"), "a ttl and a tick after the last request");
    assertEquals(new StickyStore.Claim("b", true), claim(s, "w", "b", null), "expired: a first write again");
    assertEquals("a", s.peek("e", "salt", "u"), "u's request at the ttl counted as its last");
  }

  @Test
  void armsKeepTheirIdsWhateverTheOrderTheStoreFirstSawThem() {
    InMemoryStickyStore s = new InMemoryStickyStore(1000, Duration.ofMinutes(1), now::get);
    String[] arms = {"champion", "canary", "variant-b", "champion", "x"};
    for (int i = 0; i < 100; i++) {
      claim(s, "u" + i, arms[i % arms.length], null);
    }
    for (int i = 0; i < 100; i++) {
      assertEquals(arms[i % arms.length], s.peek("e", "salt", "u" + i));
    }
  }
}
