package dev.vane.gateway.state.redis;

import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.gateway.state.StickyStoreContract;
import dev.vane.router.StickyStore;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The sticky store contract on the Redis store, against a real redis-server. */
class RedisStickyStoreContractTest extends StickyStoreContract {
  private static RedisServerProcess redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void flush() {
    redis.call("FLUSHALL");
  }

  @Override
  protected StickyStore newStore() {
    // a generous command timeout: the contract is about what Redis decides, not about the outage fallback
    RedisStickyStore store = new RedisStickyStore(RedisSettings.defaults(redis.uri())
        .withCommandTimeout(Duration.ofSeconds(5)));
    Eventually.await(Duration.ofSeconds(10), store::healthy, store::describe);
    return store;
  }
}
