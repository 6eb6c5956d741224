package dev.vane.gateway.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.VaneFixtures;
import dev.vane.gateway.state.RedisClusterProcesses;
import dev.vane.gateway.state.RedisSentinelProcesses;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rollout lease, its fencing token and the command queue (scripts over several keys of one experiment's hash
 * tag) on a real Redis Cluster and a real Sentinel setup.
 */
class RedisRolloutStoreTopologiesTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final RedisClusterProcesses cluster = fx.own(RedisClusterProcesses.start(3, 1));
  static final RedisSentinelProcesses sentinel = fx.own(RedisSentinelProcesses.start());

  static Stream<Arguments> topologies() {
    return Stream.of(Arguments.of("cluster", cluster.uri()), Arguments.of("sentinel", sentinel.uri()));
  }

  static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topologies")
  void oneLeaderAtATimeAndAnOldLeaderIsFencedOut(String topology, String uri) throws Exception {
    RedisRolloutStore one = fx.own(new RedisRolloutStore(uri, Duration.ofSeconds(3)));
    RedisRolloutStore two = fx.own(new RedisRolloutStore(uri, Duration.ofSeconds(3)));
    String exp = "exp-" + topology;
    Optional<Long> fence = get(one.lead(exp, "one", Duration.ofSeconds(2)));
    assertTrue(fence.isPresent());
    assertEquals(Optional.empty(), get(two.lead(exp, "two", Duration.ofSeconds(2))), "the lease is held");
    assertTrue(get(one.save(exp, fence.get(), "{\"step\":1}")));
    Thread.sleep(2_100); // the lease expires
    Optional<Long> next = get(two.lead(exp, "two", Duration.ofSeconds(10)));
    assertEquals(Optional.of(fence.get() + 1), next);
    assertFalse(get(one.save(exp, fence.get(), "{\"step\":2}")), "the old leader is fenced out");
    assertEquals(Optional.of("{\"step\":1}"), get(two.state(exp)));

    get(one.command(exp, "pause"));
    get(two.command(exp, "resume"));
    assertEquals(List.of("pause", "resume"), get(two.takeCommands(exp)));
    assertEquals(List.of(), get(one.takeCommands(exp)));
    get(two.record(exp, "{\"d\":1}"));
    assertEquals(List.of("{\"d\":1}"), get(one.history(exp, 10)));
  }
}
