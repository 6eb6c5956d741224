package dev.vane.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.VaneFixtures;
import dev.vane.gateway.configstore.StoreUnavailableException;
import dev.vane.gateway.state.RedisServerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RedisAuditLog} on a real redis-server. */
class RedisAuditLogTest {
  @RegisterExtension
  static final VaneFixtures fx = new VaneFixtures();

  private static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static List<Long> versions(List<AuditEntry> entries) {
    return entries.stream().map(AuditEntry::version).toList();
  }

  @Test
  void entriesComeBackOldestFirstWithStreamIdsFromATimeOrTheNewest() throws Exception {
    RedisServerProcess redis = fx.redis();
    RedisAuditLog log = fx.own(RedisAuditLog.of(redis.uri(), 100, Duration.ofSeconds(1)));
    for (int i = 1; i <= 3; i++) {
      get(log.append(FileAuditLogTest.entry(i)));
    }
    Thread.sleep(5); // the next entries' stream ids are later milliseconds
    Instant middle = Instant.now();
    Thread.sleep(5);
    for (int i = 4; i <= 5; i++) {
      get(log.append(FileAuditLogTest.entry(i)));
    }
    List<AuditEntry> all = get(log.read(null, 10));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), versions(all));
    assertTrue(all.get(0).id().matches("\\d+-\\d+"), all.get(0).id());
    assertEquals(FileAuditLogTest.entry(2).withId(all.get(1).id()), all.get(1), "every field round-trips");
    assertNull(all.get(1).diff());
    assertEquals(List.of(4L, 5L), versions(get(log.read(null, 2))), "the newest, oldest first");
    assertEquals(List.of(4L, 5L), versions(get(log.read(middle, 10))), "from a time on");
    assertEquals(List.of(4L), versions(get(log.read(middle, 1))));
    assertEquals(5L, redis.callLong("XLEN", "vane:{config}:audit"));
  }

  @Test
  void theStreamIsTrimmedToAboutTheBoundAndLongDiffsAreCut() {
    RedisServerProcess redis = fx.redis();
    RedisAuditLog log = fx.own(RedisAuditLog.of(redis.uri(), 10, Duration.ofSeconds(5)));
    java.util.List<java.util.concurrent.CompletableFuture<Void>> appends = new java.util.ArrayList<>();
    for (int i = 1; i <= 400; i++) {
      appends.add(log.append(FileAuditLogTest.entry(i)).toCompletableFuture()); // pipelined, in order
    }
    appends.forEach(java.util.concurrent.CompletableFuture::join);
    long length = redis.callLong("XLEN", "vane:{config}:audit");
    assertTrue(length >= 10 && length <= 200, "length " + length + " (expected: about 10, whole nodes trimmed)");
    assertEquals(400L, get(log.read(null, 1)).get(0).version());

    get(log.append(new AuditEntry(null, Instant.now(), "a", null, "x", null, null, 200, null, "y".repeat(100_000))));
    assertTrue(get(log.read(null, 1)).get(0).diff().length() < 66_000);
  }

  @Test
  void withRedisDownCallsFailAsUnavailable() {
    RedisAuditLog log = fx.own(RedisAuditLog.of("redis://:pw-secret@127.0.0.1:" + RedisServerProcess.freePort(),
        10, Duration.ofMillis(500)));
    Throwable e = assertThrows(CompletionException.class, () -> get(log.append(FileAuditLogTest.entry(1))))
        .getCause();
    assertInstanceOf(StoreUnavailableException.class, e);
    assertFalse(e.getMessage().contains("pw-secret"), e.getMessage());
    assertInstanceOf(StoreUnavailableException.class,
        assertThrows(CompletionException.class, () -> get(log.read(null, 10))).getCause());
  }
}
