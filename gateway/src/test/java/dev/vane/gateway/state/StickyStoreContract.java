package dev.vane.gateway.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vane.router.StickyStore;
import dev.vane.router.StickyStore.Claim;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link StickyStore} contract, run against every implementation by a subclass that says how to make a fresh,
 * empty store.
 */
public abstract class StickyStoreContract {
  private final List<StickyStore> stores = new ArrayList<>();

  /** A new store with no assignments, ready to answer claims. */
  protected abstract StickyStore newStore();

  private StickyStore store() {
    StickyStore store = newStore();
    stores.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    stores.forEach(StickyStore::close);
    stores.clear();
  }

  /** The arm of a value stored in Redis ({@code arm@firstExposure}, or the arm alone), or null. */
  public static String armIn(Object value) {
    if (value == null) {
      return null;
    }
    String v = value.toString();
    int at = v.indexOf('@');
    return at < 0 ? v : v.substring(0, at);
  }

  public static Claim claim(StickyStore store, String experiment, String salt, String unit, String candidate,
      String replaceable) {
    Claim c = store.claim(experiment, salt, unit, candidate, replaceable).toCompletableFuture()
        .orTimeout(10, TimeUnit.SECONDS).join();
    return new Claim(c.arm(), c.created()); // the arm and whether it was created (first exposures: own tests)
  }

  @Test
  void firstWriteWins() {
    StickyStore store = store();
    assertEquals(new Claim("a", true), claim(store, "exp", "s1", "user-1", "a", null));
    assertEquals(new Claim("a", false), claim(store, "exp", "s1", "user-1", "b", null));
    assertEquals(new Claim("a", false), claim(store, "exp", "s1", "user-1", "c", null));
  }

  @Test
  void replaceableArmIsOverwrittenAndOthersAreNot() {
    StickyStore store = store();
    claim(store, "exp", "s1", "user-1", "old", null);
    assertEquals(new Claim("old", false), claim(store, "exp", "s1", "user-1", "new", "other"),
        "a stored arm that is not the replaceable one stays");
    assertEquals(new Claim("new", true), claim(store, "exp", "s1", "user-1", "new", "old"),
        "the replaceable arm is overwritten");
    assertEquals("new", store.peek("exp", "s1", "user-1"));
    assertEquals(new Claim("new", false), claim(store, "exp", "s1", "user-1", "third", "old"),
        "once replaced, the old arm no longer matches");
    assertEquals(new Claim("fresh", true), claim(store, "exp", "s1", "user-2", "fresh", "old"),
        "a replaceable arm does not stop a first write");
  }

  @Test
  void concurrentClaimsForOneUnitAgreeOnOneWinner() throws Exception {
    StickyStore store = store();
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 20; round++) {
        String unit = "racer-" + round;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<Claim>> claims = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String candidate = "arm-" + t;
          claims.add(pool.submit(() -> {
            start.await();
            return claim(store, "exp", "s1", unit, candidate, null);
          }));
        }
        List<Claim> results = new ArrayList<>();
        for (Future<Claim> f : claims) {
          results.add(f.get(20, TimeUnit.SECONDS));
        }
        String winner = results.get(0).arm();
        for (Claim c : results) {
          assertEquals(winner, c.arm(), "every racer serves the winner of " + unit);
        }
        assertEquals(1, results.stream().filter(Claim::created).count(), "exactly one racer created " + unit);
        assertEquals(winner, store.peek("exp", "s1", unit));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void saltsAndExperimentsAreSeparateKeys() {
    StickyStore store = store();
    assertEquals(new Claim("a", true), claim(store, "exp", "s1", "user-1", "a", null));
    assertEquals(new Claim("b", true), claim(store, "exp", "s2", "user-1", "b", null), "new salt starts fresh");
    assertEquals(new Claim("c", true), claim(store, "other", "s1", "user-1", "c", null), "other experiment");
    assertEquals(new Claim("d", true), claim(store, "exp", "s1", "user-2", "d", null), "other unit");
    assertEquals("a", store.peek("exp", "s1", "user-1"));
    assertEquals("b", store.peek("exp", "s2", "user-1"));
    assertEquals("c", store.peek("other", "s1", "user-1"));
    // ids containing the separator must not collide
    assertEquals(new Claim("x", true), claim(store, "e:1", "s", "u", "x", null));
    assertEquals(new Claim("y", true), claim(store, "e", "1:s", "u", "y", null));
    assertEquals(new Claim("z", true), claim(store, "e", "1", "s:u", "z", null));
    assertEquals("x", store.peek("e:1", "s", "u"));
    assertEquals("y", store.peek("e", "1:s", "u"));
    assertEquals("z", store.peek("e", "1", "s:u"));
  }

  @Test
  void peekAfterClaim() {
    StickyStore store = store();
    assertNull(store.peek("exp", "s1", "user-1"), "nothing before the first claim");
    CompletableFuture<Claim> claimed = store.claim("exp", "s1", "user-1", "a", null).toCompletableFuture();
    claimed.orTimeout(10, TimeUnit.SECONDS).join();
    assertEquals("a", store.peek("exp", "s1", "user-1"));
    assertNull(store.peek("exp", "s1", "user-2"));
  }
}
