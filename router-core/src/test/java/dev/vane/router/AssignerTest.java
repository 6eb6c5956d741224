package dev.vane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AssignerTest {
  private final InMemoryStickyStore store = new InMemoryStickyStore(1_000_000, Duration.ofHours(1));
  private final SplittableRandom seeded = new SplittableRandom(3);
  private final Assigner assigner = new Assigner(store, () -> seeded, "X-Vane-Variant", Map.of());

  private Assignment assign(Experiment e, String unit) {
    return assign(e, TestRequest.of("/v2/models/m/infer"), unit);
  }

  private Assignment assign(Experiment e, RequestView req, String unit) {
    return assigner.assign(e, req, unit).toCompletableFuture().join();
  }

  @Test
  void aThousandRepeatRequestsPerUserKeepTheSameArm() {
    Experiment e = Fixtures.abn("s", true, "a", 3400, "b", 3300, "c", 3300);
    for (int u = 0; u < 50; u++) {
      String first = assign(e, "user-" + u).arm().id();
      for (int i = 0; i < 1000; i++) {
        assertEquals(first, assign(e, "user-" + u).arm().id());
      }
    }
  }

  @Test
  void firstRequestStoresTheAssignmentAndLaterOnesReadIt() {
    Experiment e = Fixtures.canary("s", 5000, true);
    Assignment first = assign(e, "alice");
    assertEquals(Assignment.Reason.ASSIGNED, first.reason());
    assertEquals(first.arm().id(), store.peek("exp", "s", "alice"));
    Assignment second = assign(e, "alice");
    assertEquals(Assignment.Reason.STICKY, second.reason());
    assertTrue(first.exposure() && second.exposure());
  }

  @Test
  void usersKeepTheirArmWhenWeightsChange() {
    Experiment before = Fixtures.abn("s", true, "a", 5000, "b", 5000);
    Experiment after = Fixtures.abn("s", true, "a", 1000, "b", 9000);
    Map<String, String> seen = new HashMap<>();
    for (int u = 0; u < 5000; u++) {
      seen.put("u" + u, assign(before, "u" + u).arm().id());
    }
    int hashWouldMove = 0;
    for (int u = 0; u < 5000; u++) {
      assertEquals(seen.get("u" + u), assign(after, "u" + u).arm().id(), "u" + u);
      if (!AssignmentStrategy.hashSplit().choose(after, "u" + u, seeded).id().equals(seen.get("u" + u))) {
        hashWouldMove++;
      }
    }
    assertTrue(hashWouldMove > 1000, "the hash alone moves many users: " + hashWouldMove);
  }

  @Test
  void usersKeepTheirArmWhenAVariantIsAdded() {
    Experiment before = Fixtures.abn("s", true, "a", 5000, "b", 5000);
    Experiment after = Fixtures.abn("s", true, "a", 3400, "b", 3300, "c", 3300);
    Map<String, String> seen = new HashMap<>();
    for (int u = 0; u < 3000; u++) {
      seen.put("u" + u, assign(before, "u" + u).arm().id());
    }
    for (int u = 0; u < 3000; u++) {
      assertEquals(seen.get("u" + u), assign(after, "u" + u).arm().id());
    }
    int c = 0;
    for (int u = 3000; u < 6000; u++) {
      if (assign(after, "u" + u).arm().id().equals("c")) {
        c++;
      }
    }
    assertTrue(c > 800, "new users reach the new variant: " + c);
  }

  @Test
  void removingAVariantReassignsOnlyItsUsers() {
    Experiment before = Fixtures.abn("s", true, "a", 3400, "b", 3300, "c", 3300);
    Experiment after = Fixtures.abn("s", true, "a", 5000, "b", 5000);
    Map<String, String> seen = new HashMap<>();
    for (int u = 0; u < 3000; u++) {
      seen.put("u" + u, assign(before, "u" + u).arm().id());
    }
    for (int u = 0; u < 3000; u++) {
      Assignment now = assign(after, "u" + u);
      if (seen.get("u" + u).equals("c")) {
        assertNotEquals("c", now.arm().id());
        assertEquals(Assignment.Reason.MOVED, now.reason());
        assertEquals(now.arm().id(), store.peek("exp", "s", "u" + u), "the store was repaired");
      } else {
        assertEquals(seen.get("u" + u), now.arm().id());
      }
    }
  }

  @Test
  void aNewSaltReRandomisesStickyUsers() {
    Experiment s1 = Fixtures.abn("salt-1", true, "a", 5000, "b", 5000);
    Experiment s2 = Fixtures.abn("salt-2", true, "a", 5000, "b", 5000);
    int same = 0;
    for (int u = 0; u < 4000; u++) {
      String a1 = assign(s1, "u" + u).arm().id();
      Assignment a2 = assign(s2, "u" + u);
      assertEquals(Assignment.Reason.ASSIGNED, a2.reason());
      if (a1.equals(a2.arm().id())) {
        same++;
      }
    }
    assertEquals(2000, same, 200);
  }

  @Test
  void canaryRampKeepsCanaryUsersWithStickyStoreToo() {
    int[] steps = {500, 2000, 5000};
    Map<String, String> last = new HashMap<>();
    for (int step : steps) {
      Experiment e = Fixtures.canary("ramp", step, true);
      for (int u = 0; u < 5000; u++) {
        String arm = assign(e, "u" + u).arm().id();
        if ("canary".equals(last.get("u" + u))) {
          assertEquals("canary", arm);
        }
        last.put("u" + u, arm);
      }
    }
    Experiment fifty = Fixtures.canary("ramp", 5000, false);
    for (int u = 0; u < 5000; u++) {
      assertEquals(AssignmentStrategy.hashSplit().choose(fifty, "u" + u, seeded).id(), last.get("u" + u),
          "champion users moved to the canary as it grew, exactly as the hash layout says");
    }
  }

  @Test
  void rampingTheCanaryDownKeepsItsStickyUsers() {
    Experiment fifty = Fixtures.canary("ramp", 5000, true);
    Experiment five = Fixtures.canary("ramp", 500, true);
    Map<String, String> seen = new HashMap<>();
    for (int u = 0; u < 3000; u++) {
      seen.put("u" + u, assign(fifty, "u" + u).arm().id());
    }
    for (int u = 0; u < 3000; u++) {
      assertEquals(seen.get("u" + u), assign(five, "u" + u).arm().id());
    }
  }

  @Test
  void requestsWithoutUnitAreRandomAndNotStored() {
    Experiment e = Fixtures.canary("s", 5000, true);
    Assignment a = assign(e, null);
    assertEquals(Assignment.Reason.RANDOM, a.reason());
    assertTrue(a.exposure());
    assertEquals(0, store.size());
  }

  @Test
  void requestsFailingTargetingGoToTheChampionAndAreNotExposures() {
    Experiment e = Fixtures.withTargeting(Fixtures.canary("s", 10_000 - 1, true),
        new Targeting(Map.of("X-Region", List.of("eu", "uk")), "/v2/"));
    Assignment miss = assign(e, TestRequest.of("/v2/models/m/infer").header("X-Region", "us"), "u1");
    assertEquals("champion", miss.arm().id());
    assertEquals(Assignment.Reason.NOT_TARGETED, miss.reason());
    assertFalse(miss.exposure());
    Assignment wrongPath = assign(e, TestRequest.of("/v1/x").header("X-Region", "eu"), "u1");
    assertEquals(Assignment.Reason.NOT_TARGETED, wrongPath.reason());
    Assignment hit = assign(e, TestRequest.of("/v2/models/m/infer").header("x-region", "uk"), "u1");
    assertTrue(hit.exposure());
    assertEquals(0, store.size() - 1, "only the targeted request stored an assignment");
  }

  @Test
  void overrideHeaderForcesAnArmUnlessDisabled() {
    Experiment e = Fixtures.canary("s", 0, true);
    Assignment forced = assign(e, TestRequest.of("/").header("X-Vane-Variant", "canary"), "u1");
    assertEquals("canary", forced.arm().id());
    assertEquals(Assignment.Reason.OVERRIDE, forced.reason());
    assertFalse(forced.exposure());
    assertEquals(null, store.peek("exp", "s", "u1"), "overrides are not stored");
    assertThrows(UnknownArmException.class,
        () -> assign(e, TestRequest.of("/").header("X-Vane-Variant", "nope"), "u1"));
    Experiment locked = new Experiment(e.id(), e.salt(), e.version(), e.arms(), e.shadows(), e.coverageBps(), true,
        false, false, e.targeting(), e.policy(), false);
    assertEquals("champion", assign(locked, TestRequest.of("/").header("X-Vane-Variant", "canary"), "u1").arm().id());
  }

  @Test
  void unitsOutsideCoverageGoToControlAndAreNotStored() {
    Experiment e = Fixtures.withCoverage(Fixtures.abn("s", true, "a", 5000, "b", 5000), 0);
    Assignment a = assign(e, "u1");
    assertEquals(Assignment.Reason.NOT_COVERED, a.reason());
    assertSame(e.control(), a.arm());
    assertEquals(0, store.size());
  }

  @Test
  void nonStickyExperimentsHashWithoutStoring() {
    Experiment e = Fixtures.canary("s", 5000, false);
    Assignment a = assign(e, "u1");
    assertEquals(Assignment.Reason.HASHED, a.reason());
    assertEquals(0, store.size());
  }

  @Test
  void pausedExperimentsServeEveryoneTheControlWithoutTouchingTheStore() {
    Experiment live = Fixtures.canary("s", 5000, true);
    Experiment paused = Fixtures.withPaused(live, true);
    StickyStore untouchable = new StickyStore() {
      @Override
      public String peek(String experiment, String salt, String unit) {
        throw new AssertionError("peek on a paused experiment");
      }

      @Override
      public java.util.concurrent.CompletionStage<Claim> claim(String experiment, String salt, String unit,
          String candidate, String replaceable) {
        throw new AssertionError("claim on a paused experiment");
      }
    };
    Assigner strict = new Assigner(untouchable, () -> seeded, "X-Vane-Variant", Map.of());
    for (String unit : new String[] {"u1", "u2", "u3", null}) {
      Assignment a = strict.assign(paused, TestRequest.of("/").header("X-Vane-Variant", "canary"), unit)
          .toCompletableFuture().join();
      assertEquals("champion", a.arm().id(), "unit " + unit);
      assertEquals(Assignment.Reason.PAUSED, a.reason());
      assertFalse(a.exposure(), "a paused request is not an exposure");
    }
  }

  @Test
  void resumingRestoresEachStickyUsersStoredArm() {
    Experiment live = Fixtures.canary("s", 5000, true);
    Experiment paused = Fixtures.withPaused(live, true);
    Map<String, String> before = new HashMap<>();
    for (int u = 0; u < 2000; u++) {
      before.put("u" + u, assign(live, "u" + u).arm().id());
    }
    assertTrue(before.containsValue("canary") && before.containsValue("champion"), "both arms used: " + before);
    long stored = store.size();
    for (int u = 0; u < 3000; u++) {
      Assignment a = assign(paused, "u" + u);
      assertEquals("champion", a.arm().id());
      assertEquals(Assignment.Reason.PAUSED, a.reason());
    }
    assertEquals(stored, store.size(), "nothing new is stored while paused (u2000..u2999 stay unassigned)");
    for (int u = 0; u < 2000; u++) {
      assertEquals(before.get("u" + u), store.peek("exp", "s", "u" + u), "stored arm of u" + u + " kept");
    }
    for (int u = 0; u < 2000; u++) {
      Assignment a = assign(live, "u" + u);
      assertEquals(before.get("u" + u), a.arm().id(), "u" + u + " back on its arm after resume");
      assertEquals(Assignment.Reason.STICKY, a.reason());
    }
  }
}
