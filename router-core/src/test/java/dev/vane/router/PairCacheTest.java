package dev.vane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PairCacheTest {
  @Test
  void everyPairGetsItsOwnValueHoweverManyShareASlot() {
    AtomicInteger computed = new AtomicInteger();
    PairCache<String> cache = new PairCache<>(4, (a, b) -> {
      computed.incrementAndGet();
      return a + "|" + b;
    });
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 50; i++) {
        assertEquals("exp-" + i + "|salt-" + (i % 7), cache.get("exp-" + i, "salt-" + (i % 7)));
      }
    }
    // ("ab", "c") and ("a", "bc") are different pairs
    assertEquals("ab|c", cache.get("ab", "c"));
    assertEquals("a|bc", cache.get("a", "bc"));
    assertEquals(150 + 2, computed.get(), "50 pairs over 4 slots: they keep replacing each other, never confused");
  }

  @Test
  void pairsInUseAtOnceStayCachedInsteadOfReplacingEachOther() {
    // what a single remembered pair got wrong: two experiments taking turns missed on every request
    AtomicInteger computed = new AtomicInteger();
    PairCache<Object> cache = new PairCache<>(64, (a, b) -> {
      computed.incrementAndGet();
      return new Object();
    });
    String[][] pairs = {{"fraud-canary", "bench-1"}, {"ranking-ab", "2026-12"}, {"chat-bandit", "s"}};
    Object[] first = new Object[pairs.length];
    for (int i = 0; i < pairs.length; i++) {
      first[i] = cache.get(pairs[i][0], pairs[i][1]);
    }
    for (int n = 0; n < 1_000; n++) {
      int i = n % pairs.length;
      // equal strings, not the same instances: found by value
      assertSame(first[i], cache.get(new String(pairs[i][0]), new String(pairs[i][1])));
    }
    assertEquals(pairs.length, computed.get());
  }

  @Test
  void concurrentReadersOnlyEverSeeTheirPairsValue() throws Exception {
    PairCache<String> cache = new PairCache<>(8, (a, b) -> a + "|" + b);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    Set<String> wrong = ConcurrentHashMap.newKeySet();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        done.add(pool.submit(() -> {
          for (int n = 0; n < 200_000; n++) {
            int i = (n * 31 + seed) % 40;
            String v = cache.get("e" + i, "s" + i);
            if (!v.equals("e" + i + "|s" + i)) {
              wrong.add(v + " for e" + i);
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(Set.of(), wrong);
  }

  @Test
  void theSlotCountIsAPowerOfTwo() {
    assertThrows(IllegalArgumentException.class, () -> new PairCache<>(6, (a, b) -> a));
    assertThrows(IllegalArgumentException.class, () -> new PairCache<>(0, (a, b) -> a));
    assertThrows(NullPointerException.class, () -> new PairCache<>(2, (a, b) -> null).get("a", "b"));
  }
}
