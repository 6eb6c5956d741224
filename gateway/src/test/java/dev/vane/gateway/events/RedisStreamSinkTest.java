package dev.vane.gateway.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.config.EventSettings;
import dev.vane.gateway.VaneFixtures;
import dev.vane.gateway.state.RedisClusterProcesses;
import dev.vane.gateway.state.RedisSentinelProcesses;
import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.gateway.state.redis.RedisConnections;
import dev.vane.gateway.state.redis.RedisKeys;
import dev.vane.gateway.state.redis.RedisLink;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The redis-stream sink on each topology, real servers all: one stream per experiment, in its experiment's slot on
 * a cluster, each entry the event's fields in order of writing.
 */
class RedisStreamSinkTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final RedisServerProcess standalone = fx.own(RedisServerProcess.start());
  static final RedisClusterProcesses cluster = fx.own(RedisClusterProcesses.start(3, 0));
  static final RedisSentinelProcesses sentinel = fx.own(RedisSentinelProcesses.start());

  static Stream<Arguments> topologies() {
    return Stream.of(Arguments.of("standalone", standalone.uri()), Arguments.of("cluster", cluster.uri()),
        Arguments.of("sentinel", sentinel.uri()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topologies")
  void eachExperimentsEventsLandInItsOwnStreamInOrder(String topology, String uri) throws Exception {
    List<String> experiments = List.of("search-" + topology, "ranker-" + topology, "fraud-" + topology);
    List<Event> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String x = experiments.get(i % 3);
      batch.add(i % 2 == 0
          ? new Event.Exposure(1_000L * i, x, "v1", "a", "u" + i, "r" + i, "r0", Map.of("region", "eu"), "assigned",
              true, false)
          : new Event.Feedback(1_000L * i, x, "v1", "b", "click", 1, true, "e" + i, "r" + i, null, 500L * i));
    }
    RedisStreamSink sink = new RedisStreamSink(new EventSettings.RedisStream(1000, 10), uri, Duration.ofSeconds(5));
    try {
      assertEquals(List.of(), sink.write(batch), "every XADD acknowledged");
    } finally {
      sink.close();
    }
    RedisConnections connections = RedisConnections.acquire();
    try (RedisLink link = connections.connect(uri, Duration.ofSeconds(5), new RedisLink.Events() {})
        .get(10, TimeUnit.SECONDS)) {
      for (String x : experiments) {
        List<StreamMessage<String, String>> entries = link.commands()
            .xrange(RedisKeys.events(x), Range.create("-", "+")).get(5, TimeUnit.SECONDS);
        List<Map<String, String>> expected = batch.stream().filter(e -> e.experiment().equals(x))
            .map(Event::fields).toList();
        assertEquals(expected, entries.stream().map(StreamMessage::getBody).toList(), x);
        Map<String, String> exposure = entries.stream().map(StreamMessage::getBody)
            .filter(f -> f.get("kind").equals("exposure")).findFirst().orElseThrow();
        assertEquals("{\"region\":\"eu\"}", exposure.get("slices"));
        assertEquals("1", exposure.get("v"));
      }
    } finally {
      connections.release();
    }
  }
}
