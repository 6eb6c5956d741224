package dev.vane.gateway.configstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.VaneFixtures;
import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.gateway.state.redis.RedisKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link RedisConfigStore} on real redis-server processes. */
class RedisConfigStoreTest {
  @RegisterExtension
  static final VaneFixtures fx = new VaneFixtures();

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  private RedisConfigStore store(String uri, int keep, Duration checkEvery, Path localCopy) {
    return fx.own(RedisConfigStore.of(uri, keep, TIMEOUT, checkEvery, localCopy, CLOCK));
  }

  private RedisConfigStore store(RedisServerProcess redis) {
    return store(redis.uri(), 10, Duration.ofSeconds(1), null);
  }

  private static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static Throwable failure(CompletionStage<?> stage) {
    return assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join()).getCause();
  }

  @Test
  void writesBecomeNumberedVersionsReadBackWithTheirFieldsAndHistoryIsNewestFirst() {
    RedisServerProcess redis = fx.redis();
    RedisConfigStore s = store(redis);
    assertInstanceOf(NoSuchElementException.class, failure(s.current()), "empty store");
    assertEquals(List.of(), get(s.history(10)));

    ConfigVersion v1 = get(s.write("a: 1\n", 0, "alice", "first", "created"));
    ConfigVersion v2 = get(s.write("a: 2\n", 1, "bob", null, null));
    assertEquals(1, v1.number());
    assertEquals(2, v2.number());
    assertEquals(v2, get(s.current()));
    assertEquals(v1, get(s.version(1)).orElseThrow());
    assertEquals(ConfigVersion.hashOf("a: 1\n"), v1.hash());
    assertEquals(CLOCK.instant(), get(s.version(1)).orElseThrow().time());
    assertEquals("", get(s.version(2)).orElseThrow().message(), "no message reads back as empty");
    assertEquals(List.of(v2.withoutContent(), v1.withoutContent()), get(s.history(10)));
    assertEquals(List.of(v2.withoutContent()), get(s.history(1)));
    assertTrue(get(s.version(3)).isEmpty());
    assertEquals("2", redis.call("GET", "vane:{config}:version"));
    assertEquals("a: 1\n", redis.call("HGET", "vane:{config}:v:1", "content"));

    Throwable stale = failure(s.write("a: 9\n", 1, "carol", "", ""));
    assertEquals(2, assertInstanceOf(StaleVersionException.class, stale).latest());
    assertEquals(v2, get(s.current()), "a stale write changes nothing");
  }

  @Test
  void ofTwentyConcurrentWritersWithTheSameExpectedVersionExactlyOneSucceeds() throws Exception {
    RedisServerProcess redis = fx.redis();
    RedisConfigStore a = store(redis);
    RedisConfigStore b = store(redis);
    get(a.write("a: 0\n", 0, "seed", "", ""));
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<ConfigVersion>> writes = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      RedisConfigStore s = i % 2 == 0 ? a : b;
      CompletableFuture<ConfigVersion> result = new CompletableFuture<>();
      writes.add(result);
      String content = "a: " + i + "\n";
      Thread t = new Thread(() -> {
        try {
          go.await();
          s.write(content, 1, "writer", "", "").whenComplete((v, e) -> {
            if (e != null) {
              result.completeExceptionally(e);
            } else {
              result.complete(v);
            }
          });
        } catch (InterruptedException e) {
          result.completeExceptionally(e);
        }
      });
      t.start();
      threads.add(t);
    }
    go.countDown();
    int ok = 0;
    for (CompletableFuture<ConfigVersion> w : writes) {
      try {
        assertEquals(2, w.join().number());
        ok++;
      } catch (CompletionException e) {
        assertEquals(2, assertInstanceOf(StaleVersionException.class, e.getCause()).latest());
      }
    }
    assertEquals(1, ok);
    assertEquals("2", redis.call("GET", "vane:{config}:version"));
  }

  @Test
  void aWriteOnOneStoreIsDeliveredToAnotherStoresWatcherThroughPubSub() {
    RedisServerProcess redis = fx.redis();
    RedisConfigStore a = store(redis);
    RedisConfigStore b = store(redis.uri(), 10, Duration.ofHours(1), null); // no periodic look: pub/sub only
    get(a.write("a: 1\n", 0, "alice", "", ""));
    assertEquals(1, get(b.current()).number());
    List<ConfigVersion> seen = new CopyOnWriteArrayList<>();
    b.watch(seen::add);
    Eventually.await(WAIT, b::subscribed, () -> "B not subscribed");

    for (int i = 2; i <= 4; i++) {
      long start = System.nanoTime();
      ConfigVersion written = get(a.write("a: " + i + "\n", i - 1, "alice", "", ""));
      int before = i - 2;
      Eventually.await(WAIT, () -> seen.size() > before, () -> "seen " + seen);
      System.out.printf("config version %d reached the other store's watcher in %.2f ms%n", i,
          (System.nanoTime() - start) / 1e6);
      assertEquals(written, seen.get(seen.size() - 1));
    }
    assertEquals(List.of(2L, 3L, 4L), seen.stream().map(ConfigVersion::number).toList(),
        "version 1 was loaded through current(): not delivered again");
  }

  @Test
  void aVersionWhoseMessageWasLostIsCaughtUpByThePeriodicLook() {
    RedisServerProcess redis = fx.redis();
    RedisConfigStore a = store(redis);
    RedisConfigStore b = store(redis.uri(), 10, Duration.ofMillis(200), null);
    get(a.write("a: 1\n", 0, "alice", "", ""));
    List<ConfigVersion> seen = new CopyOnWriteArrayList<>();
    b.watch(seen::add);
    Eventually.await(WAIT, () -> seen.size() == 1 && b.subscribed(), () -> "seen " + seen);

    // a version stored without PUBLISH, as if B's subscription had been down when it was published
    redis.call("HSET", "vane:{config}:v:2", "hash", ConfigVersion.hashOf("a: 2\n"), "author", "x", "time",
        CLOCK.instant().toString(), "message", "", "summary", "", "content", "a: 2\n");
    redis.call("SET", "vane:{config}:version", "2");
    Eventually.await(WAIT, () -> seen.size() == 2, () -> "seen " + seen);
    assertEquals("a: 2\n", seen.get(1).content());

    // B's subscription killed just before a write
    redis.call("CLIENT", "KILL", "TYPE", "pubsub");
    get(a.write("a: 3\n", 2, "alice", "", ""));
    Eventually.await(WAIT, () -> seen.size() == 3, () -> "seen " + seen);
    assertEquals(3, seen.get(2).number());
    Eventually.await(WAIT, b::subscribed, () -> "B subscribed again");

    // Redis restarted (with its data): B reconnects and catches up with what was written meanwhile
    redis.call("SAVE");
    redis.restart();
    Eventually.await(WAIT, () -> writes(a, "a: 4\n", 3), () -> "A reconnects and writes"); // 503s until then
    Eventually.await(WAIT, () -> seen.size() == 4, () -> "seen " + seen);
    assertEquals(4, seen.get(3).number());
    Eventually.await(WAIT, b::subscribed, () -> "B subscribed after the restart");
    get(a.write("a: 5\n", 4, "alice", "", ""));
    Eventually.await(WAIT, () -> seen.size() == 5, () -> "seen " + seen);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seen.stream().map(ConfigVersion::number).toList());
  }

  /** Whether {@code s} stored the version now, or failed because Redis was unavailable. */
  private static boolean writes(RedisConfigStore s, String content, long expected) {
    try {
      get(s.write(content, expected, "alice", "", ""));
      return true;
    } catch (CompletionException e) {
      assertInstanceOf(StoreUnavailableException.class, e.getCause());
      return false;
    }
  }

  @Test
  void withRedisDownReadsAndWritesFailQuicklyAsUnavailableWithoutTheCredentials() {
    int port = RedisServerProcess.freePort();
    RedisConfigStore s = store("redis://:s3cret-pw@127.0.0.1:" + port, 10, Duration.ofSeconds(1), null);
    // The first connect in a JVM loads Lettuce's classes and starts its event loops, on the caller's thread and
    // before the call's timeout starts; on a loaded machine that took 2-8 s. The timed calls below measure the store
    // with Redis down, not the JVM warming up, so they start once a connect has failed (not timed out).
    List<Throwable> warmUp = new ArrayList<>();
    Eventually.await(WAIT, () -> {
      Throwable t = failure(s.current());
      warmUp.add(t);
      return !(t.getCause() instanceof TimeoutException);
    }, () -> "no connect failed: " + warmUp);
    warmUp.forEach(t -> assertInstanceOf(StoreUnavailableException.class, t));
    long start = System.nanoTime();
    Throwable read = failure(s.current());
    Throwable write = failure(s.write("a: 1\n", 0, "alice", "", ""));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertInstanceOf(StoreUnavailableException.class, read);
    assertInstanceOf(StoreUnavailableException.class, write);
    assertFalse(read.getMessage().contains("s3cret"), read.getMessage());
    assertFalse(write.getMessage().contains("s3cret"), write.getMessage());
    assertFalse(s.describe().contains("s3cret"), s.describe());
    assertTrue(took.compareTo(TIMEOUT.multipliedBy(2).plusMillis(500)) < 0, "took " + took);

    RedisServerProcess redis = fx.redis(port);
    redis.call("CONFIG", "SET", "requirepass", "s3cret-pw");
    // The store connects afresh now; on a loaded machine its connect and first script can take longer than its 1 s
    // timeout, so the write is repeated until it lands (a stale answer means an earlier attempt landed late).
    List<Throwable> attempts = new ArrayList<>();
    Eventually.await(WAIT, () -> {
      try {
        return get(s.write("a: 1\n", 0, "alice", "", "")).number() == 1;
      } catch (CompletionException e) {
        attempts.add(e.getCause());
        return e.getCause() instanceof StaleVersionException stale && stale.latest() == 1;
      }
    }, () -> "the store never wrote to the started Redis: " + attempts);
    assertTrue(attempts.stream().allMatch(t -> t instanceof StoreUnavailableException
        || t instanceof StaleVersionException), attempts.toString());
    redis.stop();
    start = System.nanoTime();
    assertInstanceOf(StoreUnavailableException.class, failure(s.current()));
    assertInstanceOf(StoreUnavailableException.class, failure(s.write("a: 2\n", 1, "alice", "", "")));
    took = Duration.ofNanos(System.nanoTime() - start);
    System.out.println("with Redis stopped, a read and a write failed in " + took.toMillis() + " ms");
    assertTrue(took.compareTo(TIMEOUT.multipliedBy(2).plusMillis(500)) < 0, "took " + took);
  }

  @Test
  void aRedisThatDoesNotAnswerFailsCallsAsUnavailableAfterTheTimeout() {
    RedisServerProcess redis = fx.redis();
    RedisConfigStore s = store(redis);
    get(s.write("a: 1\n", 0, "alice", "", ""));
    redis.freeze();
    try {
      long start = System.nanoTime();
      Throwable read = failure(s.current());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertInstanceOf(StoreUnavailableException.class, read);
      assertTrue(read.getMessage().contains("no answer within 1000 ms"), read.getMessage());
      assertTrue(took.compareTo(TIMEOUT) >= 0 && took.compareTo(TIMEOUT.plusSeconds(2)) < 0, "took " + took);
    } finally {
      redis.thaw();
    }
    Eventually.await(WAIT, () -> {
      try {
        return get(s.current()).number() == 1;
      } catch (CompletionException e) {
        return false;
      }
    }, () -> "answers again once thawed");
  }

  @Test
  void theLocalCopyHoldsTheLastVersionSeenAndIsReadableWhileRedisIsDown() {
    RedisServerProcess redis = fx.redis();
    Path copy = dir.resolve("state/config.json");
    RedisConfigStore a = store(redis.uri(), 10, Duration.ofMillis(200), copy);
    assertTrue(a.lastLocalCopy().isEmpty());
    get(a.write("a: 1\n", 0, "alice", "m", "s"));
    ConfigVersion v2 = get(a.write("a: 2\n", 1, "alice", "m", "s"));
    Eventually.await(WAIT, () -> a.lastLocalCopy().map(ConfigVersion::number).orElse(0L) == 2,
        () -> "copy " + a.lastLocalCopy());
    assertEquals(v2, a.lastLocalCopy().orElseThrow());

    RedisConfigStore b = store(redis.uri(), 10, Duration.ofMillis(200), dir.resolve("b.json"));
    b.watch(v -> {});
    redis.call("HSET", "vane:{config}:v:3", "hash", ConfigVersion.hashOf("a: 3\n"), "author", "x", "time",
        CLOCK.instant().toString(), "message", "", "summary", "", "content", "a: 3\n");
    redis.call("SET", "vane:{config}:version", "3");
    Eventually.await(WAIT, () -> b.lastLocalCopy().map(ConfigVersion::number).orElse(0L) == 3,
        () -> "a delivered version is copied: " + b.lastLocalCopy());

    redis.stop();
    RedisConfigStore restarted = store(redis.uri(), 10, Duration.ofMillis(200), copy);
    assertInstanceOf(StoreUnavailableException.class, failure(restarted.current()));
    assertEquals(Optional.of(v2), restarted.lastLocalCopy());
    assertEquals(Optional.of(v2), RedisConfigStore.readLocalCopy(copy));
    assertTrue(RedisConfigStore.readLocalCopy(dir.resolve("missing.json")).isEmpty());
  }

  @Test
  void seedWritesVersionOneOnlyIntoAnEmptyStore() {
    RedisServerProcess redis = fx.redis();
    RedisConfigStore s = store(redis);
    ConfigVersion seeded = get(s.seed("a: 1\n", "bootstrap", "from the bootstrap file")).orElseThrow();
    assertEquals(1, seeded.number());
    assertEquals("bootstrap", seeded.author());
    assertTrue(get(s.seed("a: other\n", "bootstrap", "again")).isEmpty());
    assertEquals("a: 1\n", get(s.current()).content());
  }

  @Test
  void onlyTheNewestKeepVersionsStayInRedis() {
    RedisServerProcess redis = fx.redis();
    RedisConfigStore s = store(redis.uri(), 3, Duration.ofSeconds(1), null);
    for (int i = 1; i <= 10; i++) {
      get(s.write("v: " + i + "\n", i - 1, "alice", "", ""));
    }
    assertEquals(List.of(10L, 9L, 8L), get(s.history(100)).stream().map(ConfigVersion::number).toList());
    assertTrue(get(s.version(7)).isEmpty());
    assertEquals("v: 8\n", get(s.version(8)).orElseThrow().content());
    @SuppressWarnings("unchecked")
    List<Object> keys = (List<Object>) redis.call("KEYS", "vane:*");
    assertEquals(4, keys.size(), "the latest number and three versions: " + keys);
    assertTrue(keys.contains(RedisKeys.configVersion(8)), keys.toString());
  }
}
