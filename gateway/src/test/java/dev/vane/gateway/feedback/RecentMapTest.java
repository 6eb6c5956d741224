package dev.vane.gateway.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentMapTest {
  private final AtomicLong now = new AtomicLong();

  @Test
  void theNewestEntriesAreKeptAndTheMapIsBounded() {
    RecentMap<Integer, Integer> m = new RecentMap<>(1000, Duration.ofHours(1), 4, now::get);
    for (int i = 0; i < 100_000; i++) {
      m.put(i, i);
    }
    assertTrue(m.size() <= 1000, "size " + m.size());
    for (int i = 99_000 + 250; i < 100_000; i++) {
      assertEquals(i, m.get(i), "recent key " + i);
    }
    assertNull(m.get(0));
  }

  @Test
  void entriesOutliveTheirTtlByAtMostOneGeneration() {
    RecentMap<String, String> m = new RecentMap<>(1000, Duration.ofMinutes(30), 4, now::get);
    m.put("a", "1");
    now.addAndGet(Duration.ofMinutes(25).toNanos());
    m.put("b", "2");
    assertEquals("1", m.get("a"), "still within the ttl");
    for (int minute = 0; minute < 55; minute += 5) {
      now.addAndGet(Duration.ofMinutes(5).toNanos());
      m.put("tick" + minute, "x");
    }
    assertNull(m.get("a"), "80 minutes later (over ttl x 4/3 = 40), rotations have dropped it");
  }

  @Test
  void putIfAbsentSeesEveryGeneration() {
    RecentMap<String, Boolean> m = new RecentMap<>(8, Duration.ofHours(1), 4, now::get);
    assertNull(m.putIfAbsent("e1", true));
    m.put("x1", true);
    m.put("x2", true);
    m.put("x3", true); // rotates: e1 is now in an older generation
    assertEquals(Boolean.TRUE, m.putIfAbsent("e1", true));
  }
}
