package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecentUnitsTest {
  @Test
  void aUnitIsKnownOnceAddedAndForgottenWhenRemoved() {
    RecentUnits r = new RecentUnits(10);
    assertFalse(r.contains("alice"));
    r.add("alice");
    assertTrue(r.contains("alice"));
    assertFalse(r.contains("bob"));
    r.remove("bob");
    assertTrue(r.contains("alice"), "removing another unit leaves it");
    r.remove("alice");
    assertFalse(r.contains("alice"));
  }

  @Test
  void aFullTableOnlyEverForgetsNeverInventsUnits() {
    // 4 slots, 1,000 units: most get overwritten, but nothing never added is ever reported as known
    RecentUnits r = new RecentUnits(2);
    Set<String> added = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      r.add("u" + i);
      added.add("u" + i);
    }
    int known = 0;
    for (int i = 0; i < 1000; i++) {
      known += r.contains("u" + i) ? 1 : 0;
    }
    assertTrue(known <= 4, "at most one unit per slot: " + known);
    for (int i = 1000; i < 20_000; i++) {
      assertFalse(r.contains("u" + i), "u" + i + " was never added");
    }
  }

  @Test
  void twoChoicesKeepMostOfAHalfFullTable() {
    // 100,000 units in 262,144 slots: two choices keep over 90% known (one choice would keep about 83%)
    RecentUnits r = new RecentUnits(18);
    for (int i = 0; i < 100_000; i++) {
      r.add("user-" + i);
    }
    int known = 0;
    for (int i = 0; i < 100_000; i++) {
      known += r.contains("user-" + i) ? 1 : 0;
    }
    assertTrue(known > 90_000, "known: " + known);
  }

  @Test
  void hashesAreFnv1a64AndNeverZero() {
    // FNV-1a 64 reference values (offset basis 0xcbf29ce484222325, prime 0x100000001b3), ASCII input
    assertEquals(0xcbf29ce484222325L, RecentUnits.hash(""));
    assertEquals(0xaf63dc4c8601ec8cL, RecentUnits.hash("a"));
    assertEquals(0x85944171f73967e8L, RecentUnits.hash("foobar"));
    assertThrows(IllegalArgumentException.class, () -> new RecentUnits(0));
  }
}
