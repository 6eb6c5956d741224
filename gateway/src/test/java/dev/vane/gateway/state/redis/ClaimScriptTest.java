package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.router.FirstExposure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The first-write-wins script on a real Redis, through the link the store uses. */
class ClaimScriptTest {
  private static final Duration TTL = Duration.ofSeconds(100);

  private static RedisServerProcess redis;
  private static RedisConnections connections;
  private static RedisLink link;
  private final ClaimScript script = new ClaimScript(TTL);
  /** A claim that records no first exposure: the value is the arm alone, as an older Vane wrote it. */
  private static final long NO_STAMP = FirstExposure.UNKNOWN;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
    connections = RedisConnections.acquire();
    link = connections.connect(redis.uri(), Duration.ofSeconds(5), new RedisLink.Events() {}).join();
  }

  @AfterAll
  static void stopRedis() {
    try {
      link.close();
    } finally {
      connections.release();
      redis.close();
    }
  }

  @Test
  void theFirstWriteWinsAndLaterClaimsGetTheStoredArm() {
    assertEquals(new ClaimScript.Reply("a", true, TTL.toMillis(), NO_STAMP), script.run(link, "k1", "a", null, NO_STAMP).join());
    assertEquals("a", script.run(link, "k1", "b", null, NO_STAMP).join().arm());
    assertEquals(false, script.run(link, "k1", "b", null, NO_STAMP).join().created());
    assertEquals("a", redis.call("GET", "k1"));
    long pttl = redis.callLong("PTTL", "k1");
    assertTrue(pttl > TTL.toMillis() / 2 && pttl <= TTL.toMillis(), "pttl " + pttl);
  }

  @Test
  void aReplaceableArmIsOverwrittenAndAnyOtherIsKept() {
    script.run(link, "k2", "a", null, NO_STAMP).join();
    ClaimScript.Reply kept = script.run(link, "k2", "c", "b", NO_STAMP).join();
    assertEquals("a", kept.arm(), "b is replaceable, the stored arm is a");
    assertEquals(false, kept.created());
    assertEquals(new ClaimScript.Reply("c", true, TTL.toMillis(), NO_STAMP), script.run(link, "k2", "c", "a", NO_STAMP).join());
    assertEquals("c", redis.call("GET", "k2"));
  }

  @Test
  void theTtlIsReArmedOnlyWhenLessThanHalfRemainsAndAKeyWithoutOneKeepsNone() {
    redis.call("SET", "k3", "a", "PX", Long.toString(TTL.toMillis() / 4));
    assertEquals(new ClaimScript.Reply("a", false, TTL.toMillis(), NO_STAMP), script.run(link, "k3", "b", null, NO_STAMP).join());
    assertTrue(redis.callLong("PTTL", "k3") > TTL.toMillis() / 2, "re-armed");

    redis.call("SET", "k4", "a", "PX", Long.toString(TTL.toMillis() * 9 / 10));
    long pttl = script.run(link, "k4", "b", null, NO_STAMP).join().pttlMillis();
    assertTrue(pttl > TTL.toMillis() / 2 && pttl <= TTL.toMillis() * 9 / 10, "left as it was: " + pttl);

    redis.call("SET", "k5", "a");
    assertEquals(new ClaimScript.Reply("a", false, -1, NO_STAMP), script.run(link, "k5", "b", null, NO_STAMP).join());
    assertEquals(-1, redis.callLong("PTTL", "k5"), "an operator's key without a TTL gets none");
  }

  @Test
  void aNewValueCarriesItsFirstExposureHourAndAReplaceableArmIsMatchedWithoutIt() {
    long at = java.time.Instant.parse("2026-12-06T20:41:07Z").toEpochMilli();
    long hour = java.time.Instant.parse("2026-12-06T20:00:00Z").toEpochMilli();
    assertEquals(new ClaimScript.Reply("a", true, TTL.toMillis(), hour), script.run(link, "k7", "a", null, at).join());
    assertEquals("a@" + hour / 1000, redis.call("GET", "k7"));
    ClaimScript.Reply kept = script.run(link, "k7", "b", null, at + 86_400_000L).join();
    assertEquals("a", kept.arm());
    assertEquals(hour, kept.firstExposureMillis(), "the stored hour, not the later claim's");
    ClaimScript.Reply moved = script.run(link, "k7", "b", "a", at + 86_400_000L).join();
    assertEquals(new ClaimScript.Reply("b", true, TTL.toMillis(), hour + 86_400_000L), moved,
        "a replaced arm is matched on the arm alone; the new arm's first exposure is the replacing claim's hour");
    redis.call("SET", "k8", "a", "PX", Long.toString(TTL.toMillis()));
    assertEquals(FirstExposure.UNKNOWN, script.run(link, "k8", "b", null, at).join().firstExposureMillis(),
        "an operator's value without a stamp: the arm, first exposure unknown");
    redis.call("SET", "k9", "a@soon", "PX", Long.toString(TTL.toMillis()));
    ClaimScript.Reply odd = script.run(link, "k9", "b", null, at).join();
    assertEquals("a", odd.arm());
    assertEquals(FirstExposure.UNKNOWN, odd.firstExposureMillis(), "a stamp that is not a number is unknown");
  }

  @Test
  void theShaIsRedisOwnAndAFlushedScriptCacheFallsBackToEval() {
    assertEquals(ClaimScript.SHA, redis.call("SCRIPT", "LOAD", ClaimScript.SOURCE));
    redis.call("SCRIPT", "FLUSH");
    assertEquals(List.of(0L), redis.call("SCRIPT", "EXISTS", ClaimScript.SHA));
    assertEquals("a", script.run(link, "k6", "a", null, NO_STAMP).join().arm(), "EVALSHA answered NOSCRIPT; EVAL ran it");
  }

  @Test
  void aReplyOfAnotherShapeIsAnErrorThatSaysWhatWasExpected() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ClaimScript.Reply.parse(List.of("a", 1L)));
    assertEquals("claim script reply: [a, 1] (expected: [arm, created, pttl, firstExposure])", e.getMessage());
  }
}
