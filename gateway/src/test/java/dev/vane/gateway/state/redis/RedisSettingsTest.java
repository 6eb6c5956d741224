package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vane.config.ConfigException;
import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RedisSettingsTest {
  private static final RedisSettings OK = RedisSettings.defaults("redis://127.0.0.1:6390");

  static Stream<Arguments> badSettings() {
    return Stream.of(
        Arguments.of((Supplier<RedisSettings>) () -> OK.withTtl(Duration.ZERO), "ttl: PT0S (expected: >= 1 ms)"),
        Arguments.of((Supplier<RedisSettings>) () -> OK.withTtl(Duration.ofNanos(10)),
            "ttl: PT0.00000001S (expected: >= 1 ms)"),
        Arguments.of((Supplier<RedisSettings>) () -> OK.withCacheSize(0), "cacheSize: 0 (expected: > 0)"),
        Arguments.of((Supplier<RedisSettings>) () -> OK.withCacheStaleness(Duration.ofSeconds(-1)),
            "cacheStaleness: PT-1S (expected: > 0)"),
        Arguments.of((Supplier<RedisSettings>) () -> OK.withCommandTimeout(Duration.ZERO),
            "commandTimeout: PT0S (expected: > 0)"),
        Arguments.of((Supplier<RedisSettings>) () -> OK.withMaxPendingWrites(-1),
            "maxPendingWrites: -1 (expected: >= 0)"),
        Arguments.of((Supplier<RedisSettings>) () -> RedisSettings.defaults(" "),
            "uri: \" \" (expected: redis://host:port or rediss://host:port)"));
  }

  @ParameterizedTest
  @MethodSource("badSettings")
  void badSettingsSayWhichFieldAndWhatWasExpected(Supplier<RedisSettings> settings, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, settings::get).getMessage());
  }

  @Test
  void unparseableUriIsRejectedWithoutItsPassword() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RedisSettings.defaults("http://:secret@host:1"));
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }

  @Test
  void passwordsAndTlsAreAcceptedAndRedacted() {
    RedisSettings tls = RedisSettings.defaults("rediss://:s3cret@redis.example:6380/2");
    assertEquals("rediss://:***@redis.example:6380/2", tls.redactedUri());
    assertFalse(tls.toString().contains("s3cret"), tls.toString());
  }

  @Test
  void defaultsAreWhatAConfigWithOnlyAUriRunsWithInProduction() throws Exception {
    assertEquals(new RedisSettings("redis://h:1", Duration.ofDays(30), 1_000_000, Duration.ofHours(1),
        Duration.ofMillis(50), 10_000, true, Duration.ofSeconds(10)), RedisSettings.defaults("redis://h:1"));
    VaneConfig loaded = new ConfigLoader(Map.<String, String>of()::get).parse(
        "endpoints:\n  - { id: a, url: \"http://127.0.0.1:1\" }\nstate: { redis: { uri: \"redis://h:1\" } }\n", "x");
    assertEquals(RedisSettings.of(loaded.state().ttl(), loaded.state().redis()), RedisSettings.defaults("redis://h:1"));
  }

  /** What the config module accepts, Lettuce accepts; what it rejects for syntax, Lettuce rejects too. */
  @ParameterizedTest
  @MethodSource("redisUris")
  void validateAndLettuceAgreeOnRedisUris(String uri, boolean valid) {
    String yaml = "endpoints:\n  - { id: a, url: \"http://127.0.0.1:1\" }\nstate: { redis: { uri: \"" + uri + "\" } }\n";
    ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
    if (valid) {
      assertDoesNotThrow(() -> loader.parse(yaml, "x"));
      assertDoesNotThrow(() -> RedisSettings.defaults(uri));
    } else {
      ConfigException c = assertThrows(ConfigException.class, () -> loader.parse(yaml, "x"));
      assertFalse(c.getMessage().contains("hunter2"), c.getMessage());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisSettings.defaults(uri));
      assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
      assertNull(e.getCause(), "the cause's message would echo the password");
    }
  }

  static Stream<Arguments> redisUris() {
    return Stream.of(
        Arguments.of("redis://127.0.0.1:6379", true),
        Arguments.of("redis://:hunter2@127.0.0.1:6379/0", true),
        Arguments.of("rediss://default:hunter2@cache.internal:6380/15", true),
        Arguments.of("redis://[::1]:6379", true),
        Arguments.of("redis://127.0.0.1", true),
        Arguments.of("redis-socket:///run/redis.sock", true),
        Arguments.of("redis://:hunter2@[::1:6379/0", false),
        Arguments.of("redis://:hunter2@bad host:6379", false),
        Arguments.of("redis://:hunter2@h:6379/0#x y", false));
  }
}
