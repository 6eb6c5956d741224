package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.RedisServerProcess;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateway instances sharing one real redis-server, their counters on one clock the test moves: the time
 * series read from either instance are the exact sums of both instances' rows.
 */
class TimeSeriesRedisTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");
  static final String TOKEN = SecretWatch.secret("analyst");

  private final TimeSeriesApiTest.HandClock clock =
      new TimeSeriesApiTest.HandClock(Instant.parse("2026-03-01T09:00:10Z"));

  private String yaml(String redisUri) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        admin: { auth: { tokens: [ { name: ana, token: %s, roles: [viewer, feedback] } ] } }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes: [ { pathPrefix: /v2/, experiment: e } ]
        experiments:
          - id: e
            variants:
              - { id: a, endpoint: a, weight: 5000 }
              - { id: b, endpoint: b, weight: 5000 }
            shadows: [ { id: s1, endpoint: b, percent: 100 } ]
            metrics: [ { name: revenue, kind: continuous } ]
            attributionWindow: 1h
        state:
          redis: { uri: "%s", commandTimeout: 50ms, flushInterval: 100ms }
        timeseries: { minuteWindow: 2h, retention: 2d }
        """.formatted(TOKEN, a.url(), b.url(), redisUri);
  }

  private Gateway start(String yaml) throws Exception {
    return fx.own(Gateway.start(Harness.parse(yaml), Stores::forConfig, ThreadLocalRandom::current, clock).await());
  }

  private Harness.Reply get(Gateway gw, String uri) {
    return h.send(gw.adminPort(), HttpMethod.GET, uri, Map.of("Authorization", "Bearer " + TOKEN), null);
  }

  /** Sends {@code n} requests from distinct users; each gets revenue feedback of 1 + its index. */
  private double traffic(Gateway gw, String prefix, int n) {
    double revenue = 0;
    JsonArray events = new JsonArray();
    for (int i = 0; i < n; i++) {
      Harness.Reply r = h.post(gw.port(), "/v2/models/m/infer", prefix + i, "{}");
      assertEquals(200, r.status());
      events.add(new JsonObject().put("requestId", r.header("X-Request-Id")).put("eventId", prefix + i)
          .put("metric", "revenue").put("value", 1 + i));
      revenue += 1 + i;
    }
    // as a client should: events refused for a retry (their ids could not be checked in Redis yet) are sent again
    int accepted = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (accepted < n && System.nanoTime() < deadline) {
      Harness.Reply f = h.send(gw.adminPort(), HttpMethod.POST, "/v1/feedback",
          Map.of("Authorization", "Bearer " + TOKEN, "Content-Type", "application/json"),
          Buffer.buffer(new JsonObject().put("events", events).encode()));
      assertEquals(200, f.status(), f.body().toString());
      accepted += f.json().getInteger("accepted");
    }
    assertEquals(n, accepted, "every event accepted once");
    return revenue;
  }

  /** Sum of one field over every arm's rows (a function of a row). */
  private static double total(JsonObject series, Function<JsonObject, Double> field) {
    double t = 0;
    for (String arm : series.getJsonObject("arms").fieldNames()) {
      for (Object r : series.getJsonObject("arms").getJsonArray(arm)) {
        t += field.apply((JsonObject) r);
      }
    }
    return t;
  }

  private static double revenue(JsonObject row) {
    return row.getJsonObject("metrics").getJsonObject("revenue").getDouble("sum");
  }

  @Test
  void bothInstancesReadTheSumOfBothInstancesRowsPerMinuteAndPerHour() throws Exception {
    RedisServerProcess redis = fx.redis();
    Gateway g1 = start(yaml(redis.uri()));
    Gateway g2 = start(yaml(redis.uri()));
    double revenue = traffic(g1, "p", 30) + traffic(g2, "q", 20); // minute 09:00
    clock.now = Instant.parse("2026-03-01T09:01:10Z");
    revenue += traffic(g2, "r", 10); // minute 09:01
    double expectedRevenue = revenue;

    String minutes = "/v1/experiments/e/timeseries?interval=1m&from=2026-03-01T09:00:00Z&to=2026-03-01T09:02:00Z";
    String hours = "/v1/experiments/e/timeseries?interval=1h&from=2026-03-01T09:00:00Z";
    for (Gateway reader : new Gateway[] {g1, g2}) {
      // flushed every 100 ms: wait until both instances' rows are in Redis, then compare exactly
      dev.vane.gateway.state.Eventually.await(Duration.ofSeconds(10), () -> {
        JsonObject j = get(reader, minutes).json();
        return total(j, r -> (double) r.getLong("requests")) == 60 && total(j, TimeSeriesRedisTest::revenue) == expectedRevenue
            && total(j, r -> (double) r.getJsonObject("status").getLong("2xx")) == 60
            && j.getJsonObject("shadows").getJsonArray("s1").stream()
                .mapToLong(r -> ((JsonObject) r).getLong("compared")).sum() == 60;
      }, () -> get(reader, minutes).body().toString());
      JsonObject j = get(reader, minutes).json();
      assertEquals("redis", j.getString("source"));
      JsonArray perMinute = new JsonArray();
      for (String arm : new String[] {"a", "b"}) {
        for (Object r : j.getJsonObject("arms").getJsonArray(arm)) {
          perMinute.add(((JsonObject) r).getLong("requests"));
        }
      }
      assertEquals(60, perMinute.stream().mapToLong(x -> (Long) x).sum());
      long minute0 = j.getJsonObject("arms").getJsonArray("a").getJsonObject(0).getLong("requests")
          + j.getJsonObject("arms").getJsonArray("b").getJsonObject(0).getLong("requests");
      assertEquals(50, minute0, "30 + 20 requests of both instances in minute 09:00");
      assertEquals(60, total(j, r -> (double) r.getLong("units")), "every user new to its arm");
      assertEquals(60, total(j, r -> (double) r.getJsonObject("metrics").getJsonObject("revenue").getLong("n")));
      JsonArray shadow = j.getJsonObject("shadows").getJsonArray("s1");
      assertEquals(50, shadow.getJsonObject(0).getLong("mirrored"));
      assertEquals(10, shadow.getJsonObject(1).getLong("mirrored"));

      JsonObject hour = get(reader, hours).json();
      assertEquals("redis", hour.getString("source"));
      assertEquals(60.0, total(hour, r -> (double) r.getLong("requests")), "the hour holds both minutes");
      assertEquals(expectedRevenue, total(hour, TimeSeriesRedisTest::revenue));
    }
  }
}
