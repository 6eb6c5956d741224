package dev.vane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentTableTest {
  private final AtomicLong now = new AtomicLong();

  private static RecentTable.Hasher key(String s) {
    return new RecentTable.Hasher().add(s);
  }

  private static void put(RecentTable t, String k, long v) {
    RecentTable.Hasher h = key(k);
    t.put(h.h1(), h.h2(), v);
  }

  private static long get(RecentTable t, String k) {
    RecentTable.Hasher h = key(k);
    return t.get(h.h1(), h.h2());
  }

  @Test
  void theNewestEntriesAreKeptAndTheTableIsBounded() {
    RecentTable t = new RecentTable(1000, Duration.ofHours(1), 4, now::get);
    for (int i = 0; i < 100_000; i++) {
      put(t, "k" + i, i + 1);
    }
    assertTrue(t.size() <= 1000, "size " + t.size());
    for (int i = 99_000 + 250; i < 100_000; i++) {
      assertEquals(i + 1, get(t, "k" + i), "recent key " + i);
    }
    assertEquals(0, get(t, "k0"));
    assertEquals(0, get(t, "never written"));
  }

  @Test
  void aPutReplacesTheValueAndTheNewestGenerationWins() {
    RecentTable t = new RecentTable(8, Duration.ofHours(1), 4, now::get);
    put(t, "unit", 1);
    put(t, "unit", 2);
    assertEquals(2, get(t, "unit"), "replaced in place");
    put(t, "x1", 9);
    put(t, "x2", 9); // rotates: "unit" = 2 is now in an older generation
    put(t, "unit", 3);
    assertEquals(3, get(t, "unit"), "the newest generation is read first");
  }

  @Test
  void entriesOutliveTheirTtlByAtMostOneGeneration() {
    RecentTable t = new RecentTable(1000, Duration.ofMinutes(30), 4, now::get);
    put(t, "a", 1);
    now.addAndGet(Duration.ofMinutes(25).toNanos());
    put(t, "b", 2);
    assertEquals(1, get(t, "a"), "still within the ttl");
    for (int minute = 0; minute < 55; minute += 5) {
      now.addAndGet(Duration.ofMinutes(5).toNanos());
      put(t, "tick" + minute, 7);
    }
    assertEquals(0, get(t, "a"), "80 minutes later (over ttl x 4/3 = 40), rotations have dropped it");
  }

  @Test
  void putIfAbsentSeesEveryGeneration() {
    RecentTable t = new RecentTable(8, Duration.ofHours(1), 4, now::get);
    RecentTable.Hasher e1 = key("e1");
    assertEquals(0, t.putIfAbsent(e1.h1(), e1.h2(), 5));
    put(t, "x1", 1);
    put(t, "x2", 1);
    put(t, "x3", 1); // rotates: e1 is now in an older generation
    assertEquals(5, t.putIfAbsent(e1.h1(), e1.h2(), 6));
    assertEquals(5, get(t, "e1"));
  }

  @Test
  void aCopiedHasherAndItsOriginalGoTheirOwnWays() {
    RecentTable.Hasher prefix = new RecentTable.Hasher().add("fraud").add("salt-1");
    long h1 = prefix.h1();
    long h2 = prefix.h2();
    RecentTable.Hasher a = prefix.copy().add("user-1");
    RecentTable.Hasher b = prefix.copy().add("user-2");
    assertEquals(h1, prefix.h1(), "the original is untouched by what its copies hash");
    assertEquals(h2, prefix.h2());
    assertEquals(new RecentTable.Hasher().add("fraud").add("salt-1").add("user-1").h1(), a.h1(),
        "a copy continues exactly where the original was");
    assertEquals(new RecentTable.Hasher().add("fraud").add("salt-1").add("user-1").h2(), a.h2());
    assertNotEquals(a.h1(), b.h1());
    prefix.add("more");
    assertEquals(new RecentTable.Hasher().add("fraud").add("salt-1").add("user-2").h1(), b.h1(),
        "nor does the original, changed later, reach its copies");
  }

  @Test
  void zeroIsNotAValue() {
    RecentTable t = new RecentTable(8, Duration.ofHours(1), 4, now::get);
    assertThrows(IllegalArgumentException.class, () -> t.put(1, 2, 0));
  }

  @Test
  void keysDifferByEveryPartAndByWhereThePartsSplit() {
    Set<Long> h1 = new HashSet<>();
    Set<Long> h2 = new HashSet<>();
    String[][] keys = {{"ab", "c"}, {"a", "bc"}, {"abc"}, {"abc", ""}, {"", "abc"}, {"r", "1"}, {"u", "1"}};
    for (String[] parts : keys) {
      RecentTable.Hasher h = new RecentTable.Hasher();
      for (String p : parts) {
        h.add(p);
      }
      h1.add(h.h1());
      h2.add(h.h2());
    }
    assertEquals(keys.length, h1.size());
    assertEquals(keys.length, h2.size());
    RecentTable.Hasher a = key("user-1");
    assertNotEquals(a.h1(), a.h2(), "the two hashes are not the same function");
  }

  /** What each racer does with key {@code i}; {@code id} is the racer's number. */
  interface Racer {
    void race(int id, int i, RecentTable.Hasher key);
  }

  /**
   * Four threads go through 40,000 keys of a table of 4 generations of 4,000, meeting every 500 keys so that none
   * falls a generation behind: about ten rotations happen under the racers.
   */
  private static void raceWhileGenerationsRotate(String prefix, Racer racer) throws Exception {
    int threads = 4;
    int step = 500;
    java.util.concurrent.CyclicBarrier meet = new java.util.concurrent.CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int id = w;
        done.add(pool.submit(() -> {
          for (int i = 0; i < RACE_KEYS; i++) {
            if (i % step == 0) {
              meet.await(30, TimeUnit.SECONDS);
            }
            racer.race(id, i, key(prefix + i));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static final int RACE_KEYS = 40_000;

  private static RecentTable raceTable() {
    return new RecentTable(4 * 4_000, Duration.ofHours(1), 4, System::nanoTime);
  }

  @Test
  void exactlyOneFirstWritePerKeyWhileGenerationsRotateUnderTheRacers() throws Exception {
    RecentTable t = raceTable();
    AtomicInteger firstWins = new AtomicInteger();
    raceWhileGenerationsRotate("event-", (id, i, h) -> {
      if (t.putIfAbsent(h.h1(), h.h2(), id + 1) == 0) {
        firstWins.incrementAndGet();
      }
    });
    assertEquals(RACE_KEYS, firstWins.get(), "one first write per key across the rotations");
  }

  @Test
  void concurrentWritersAndReadersLoseNothingAndAgreeOnFirstWrites() throws Exception {
    int threads = 4;
    int perThread = 50_000;
    RecentTable t = new RecentTable(threads * perThread * 4L, Duration.ofHours(1), 4, System::nanoTime);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      AtomicInteger firstWins = new AtomicInteger();
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int id = w;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            put(t, "own-" + id + "-" + i, ((long) id << 32) | (i + 1));
            RecentTable.Hasher shared = key("shared-" + i); // every thread races for the same keys
            if (t.putIfAbsent(shared.h1(), shared.h2(), id + 1) == 0) {
              firstWins.incrementAndGet();
            }
            if (i > 0) {
              assertEquals(((long) id << 32) | i, get(t, "own-" + id + "-" + (i - 1)));
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertEquals(perThread, firstWins.get(), "exactly one first write per shared key");
      for (int w = 0; w < threads; w++) {
        for (int i = 0; i < perThread; i++) {
          assertEquals(((long) w << 32) | (i + 1), get(t, "own-" + w + "-" + i));
        }
      }
      for (int i = 0; i < perThread; i++) {
        long v = get(t, "shared-" + i);
        assertTrue(v >= 1 && v <= threads, "shared-" + i + " = " + v);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static boolean cas(RecentTable t, String k, long expected, long v) {
    RecentTable.Hasher h = key(k);
    return t.compareAndSet(h.h1(), h.h2(), expected, v);
  }

  @Test
  void compareAndSetWritesOnlyOverTheExpectedValueInWhicheverGenerationItIs() {
    RecentTable t = new RecentTable(8, Duration.ofHours(1), 4, now::get);
    assertTrue(cas(t, "unit", 0, 1), "absent, expected absent");
    assertFalse(cas(t, "unit", 0, 2), "present, expected absent");
    assertFalse(cas(t, "unit", 7, 2), "present, another value expected");
    assertEquals(1, get(t, "unit"));
    assertTrue(cas(t, "unit", 1, 3));
    assertEquals(3, get(t, "unit"));
    assertTrue(cas(t, "x1", 0, 9));
    assertTrue(cas(t, "x2", 0, 9)); // rotates: "unit" = 3 is now in an older generation
    assertFalse(cas(t, "unit", 1, 4), "the older generation's value is the present one");
    assertFalse(cas(t, "unit", 0, 4));
    assertTrue(cas(t, "unit", 3, 4), "set over the older generation's value, in the newest");
    assertEquals(4, get(t, "unit"));
    assertFalse(cas(t, "unit", 3, 5), "the newest generation's value is now the present one");
  }

  @Test
  void getAndKeepCarriesAnEntryStillReadPastTheDropOfItsGeneration() {
    RecentTable t = new RecentTable(8, Duration.ofHours(1), 4, now::get); // 2 entries per generation
    cas(t, "hot", 0, 1);
    cas(t, "cold", 0, 2);
    for (int i = 0; i < 100; i++) {
      cas(t, "new-" + i, 0, 3);
      RecentTable.Hasher h = key("hot");
      assertEquals(1, t.getAndKeep(h.h1(), h.h2()), "hot after " + i + " newer entries");
    }
    assertEquals(0, get(t, "cold"), "an entry nobody read is dropped with its generation");
    assertTrue(t.size() <= 8, "size " + t.size());
  }

  @Test
  void exactlyOneCompareAndSetFromAbsentPerKeyWhileGenerationsRotate() throws Exception {
    RecentTable t = raceTable();
    AtomicInteger firstWins = new AtomicInteger();
    AtomicInteger replaced = new AtomicInteger();
    raceWhileGenerationsRotate("unit-", (id, i, h) -> {
      if (t.compareAndSet(h.h1(), h.h2(), 0, id + 1)) {
        firstWins.incrementAndGet();
      }
      // then every racer tries to move the key off the first winner's value: one of them does
      long seen = t.get(h.h1(), h.h2());
      if (seen >= 1 && seen <= 4 && t.compareAndSet(h.h1(), h.h2(), seen, 100 + id)) {
        replaced.incrementAndGet();
      }
    });
    assertEquals(RACE_KEYS, firstWins.get(), "one first write per key across the rotations");
    assertEquals(RACE_KEYS, replaced.get(), "one replacement of the first value per key");
  }
}
