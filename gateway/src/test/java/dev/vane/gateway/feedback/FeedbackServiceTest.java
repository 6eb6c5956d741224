package dev.vane.gateway.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.CounterRegistry;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.OutcomeCounters;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The join of events to exposures held in the local tables: times, arms, slices and units come back exactly. */
class FeedbackServiceTest {
  private static final long T0 = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();
  private final AtomicLong now = new AtomicLong(T0);

  private final VaneConfig cfg = parse("""
      endpoints:
        - { id: a, url: "http://127.0.0.1:1" }
        - { id: b, url: "http://127.0.0.1:2" }
      routes:
        - { pathPrefix: /v2/, experiment: e }
      experiments:
        - id: e
          variants:
            - { id: a, endpoint: a, weight: 5000 }
            - { id: b, endpoint: b, weight: 5000 }
          metrics:
            - { name: revenue, kind: continuous }
          slices:
            - { name: region, header: X-Region, maxValues: 4 }
          attributionWindow: 1h
      """);
  private final CounterRegistry registry = new CounterRegistry(Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC));
  private final ExperimentCounters es = registry.bind(cfg).get("e");
  private final FeedbackService service = new FeedbackService(() -> Duration.ofHours(1), registry,
      FeedbackBackend.local(), now::get, 1000, Duration.ofHours(2));

  private static VaneConfig parse(String yaml) {
    try {
      return new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "test");
    } catch (dev.vane.config.ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  private FeedbackService.Result send(JsonObject event) {
    List<FeedbackService.Result> r = service.ingest(event).toCompletableFuture().join();
    assertEquals(1, r.size());
    return r.get(0);
  }

  private static JsonObject byRequest(String rid, String eventId, double value, long at) {
    return new JsonObject().put("requestId", rid).put("eventId", eventId).put("metric", "revenue").put("value", value)
        .put("timestamp", at);
  }

  private OutcomeCounters.Sums sums(String region, String arm) {
    OutcomeCounters.SliceCell cell = es.outcomes().snapshot().slices().get("region").get(region).get(arm);
    return cell == null ? OutcomeCounters.Sums.ZERO : cell.metrics().getOrDefault("revenue", OutcomeCounters.Sums.ZERO);
  }

  @Test
  void eventsJoinToTheirRequestsArmSliceAndTimeExactly() {
    service.exposed(es, "a", "rid-1", "alice", new String[] {"eu"});
    now.addAndGet(1);
    service.exposed(es, "b", "rid-2", "bob", new String[] {"us"});

    assertEquals("accepted", send(byRequest("rid-1", "ev1", 3.0, T0 + 3_600_000)).status(),
        "exactly the window after the request: still in");
    assertEquals("expired", send(byRequest("rid-2", "ev2", 5.0, T0 + 1 + 3_600_001)).code(),
        "one millisecond over the window: the stored time is exact");
    assertEquals("before_request", send(byRequest("rid-2", "ev3", 5.0, T0 + 1 - 60_001)).code());
    assertEquals("accepted", send(byRequest("rid-2", "ev4", 7.0, T0 + 1 - 60_000)).status(), "within the skew");
    assertEquals("unknown_request", send(byRequest("rid-3", "ev5", 1.0, T0)).code());

    assertEquals(new OutcomeCounters.Sums(1, 3.0, 9.0), sums("eu", "a"));
    assertEquals(new OutcomeCounters.Sums(1, 7.0, 49.0), sums("us", "b"));
    assertEquals(OutcomeCounters.Sums.ZERO, sums("eu", "b"));
    assertEquals("duplicate", send(byRequest("rid-1", "ev1", 3.0, T0)).status());
  }

  @Test
  void unitEventsJoinToTheUnitsLatestExposure() {
    service.exposed(es, "a", "r1", "carol", new String[] {"eu"});
    now.addAndGet(1000);
    service.exposed(es, "b", "r2", "carol", new String[] {"apac"});
    JsonObject unitEvent = new JsonObject().put("unitId", "carol").put("experiment", "e").put("eventId", "u1")
        .put("metric", "revenue").put("value", 2.0);
    assertEquals("accepted", send(unitEvent).status());
    assertEquals(new OutcomeCounters.Sums(1, 2.0, 4.0), sums("apac", "b"));
    assertEquals("accepted", send(byRequest("r1", "u2", 4.0, T0)).status(), "the first request keeps its own arm");
    assertEquals(new OutcomeCounters.Sums(1, 4.0, 16.0), sums("eu", "a"));
    assertEquals("unknown_unit", send(new JsonObject().put("unitId", "dave").put("experiment", "e")
        .put("eventId", "u3").put("metric", "revenue").put("value", 1)).code());
  }

  @Test
  void echoedStringsAreCutTo128CharactersWithoutSplittingASurrogatePair() {
    assertEquals(null, FeedbackService.echo(null));
    assertEquals("x".repeat(128), FeedbackService.echo("x".repeat(128)));
    assertEquals("x".repeat(128) + "\u2026", FeedbackService.echo("x".repeat(129)));
    String emoji = "x".repeat(127) + "\ud83d\ude00" + "tail";
    assertEquals("x".repeat(127) + "\u2026", FeedbackService.echo(emoji));
  }

  @Test
  void timestampsOutsideTheEpochToYear9999AreInvalidEvents() {
    for (Object t : new Object[] {"+300000000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", -1, 1e300,
        Long.MAX_VALUE, FeedbackService.MAX_TIMESTAMP_MILLIS + 1}) {
      FeedbackService.Result r = send(new JsonObject().put("requestId", "nobody").put("eventId", "t-" + t)
          .put("metric", "revenue").put("value", 1).put("timestamp", t));
      assertEquals("invalid_event", r.code(), String.valueOf(t));
    }
  }
}
