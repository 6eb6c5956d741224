package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One factory per process: every Redis user shares it, and it shuts down after the last. */
class RedisConnectionsTest {
  @Test
  void storeFiguresAndFeedbackShareOneFactoryThatClosesAfterTheLast() {
    int before = RedisConnections.users();
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      RedisConnections probe = RedisConnections.acquire();
      try {
        RedisStickyStore store = new RedisStickyStore(RedisSettings.defaults(redis.uri()));
        RedisFigures figures = new RedisFigures(redis.uri(), Duration.ofMillis(20), Duration.ofMillis(200));
        RedisFeedback feedback = new RedisFeedback(redis.uri(), Duration.ofMillis(20), Duration.ofMillis(200));
        assertEquals(before + 4, RedisConnections.users(), "one factory, four users");
        assertSame(probe, RedisConnections.acquire(), "the same factory");
        probe.release();
        Eventually.await(Duration.ofSeconds(10), () -> store.healthy() && figures.describe().contains(" up")
            && feedback.describe().contains(" up"), () -> store.describe() + " / " + figures.describe());
        figures.close();
        feedback.close();
        store.close();
        assertEquals(before + 1, RedisConnections.users(), "each released its share");
      } finally {
        probe.release();
      }
      assertEquals(before, RedisConnections.users(), "back to where it was: shut down after the last user");
    }
  }
}
