package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisClusterProcesses;
import dev.vane.gateway.state.RedisSentinelProcesses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A primary killed (SIGKILL) under a steady load through two instances, on a real Redis Cluster (3 primaries, 3
 * replicas; the primary of the experiment's slot, whose replica the cluster promotes) and a real Sentinel setup (the
 * sentinels promote the replica); and the experiment's slot resharded to another primary under the same load
 * (IMPORTING/MIGRATING, the keys moved one MIGRATE at a time, SETSLOT NODE). Measured and asserted: client requests that failed, sticky users whose arm changed,
 * figure deltas lost, feedback events counted twice. Each run prints one {@code FAILOVER} line with the figures.
 */
class RedisFailoverTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");

  static final int RATE_PER_SECOND = 300;
  static final int THREADS = 16;
  static final int WARM_USERS = 300;

  @Test
  void aClusterPrimaryKilledUnderLoad() throws Exception {
    RedisClusterProcesses cluster = fx.own(RedisClusterProcesses.start(3, 1));
    Result r = run("cluster", cluster.uri(), () -> cluster.killPrimaryOf("vane:{e}:fig"));
    r.assertGoals();
  }

  @Test
  void theExperimentsSlotMovedToAnotherPrimaryUnderLoad() throws Exception {
    RedisClusterProcesses cluster = fx.own(RedisClusterProcesses.start(3, 1));
    Result r = run("cluster resharding", cluster.uri(), () -> cluster.migrateSlotOf("vane:{e}:fig", 20));
    r.assertGoals();
  }

  @Test
  void aSentinelPrimaryKilledUnderLoad() throws Exception {
    RedisSentinelProcesses sentinel = fx.own(RedisSentinelProcesses.start());
    Result r = run("sentinel", sentinel.uri(), sentinel::killPrimary);
    r.assertGoals();
  }

  /** What a run measured. */
  record Result(String topology, long requests, long failed, long warmChanged, long newChanged, long newUsers,
      long figuresLost, long feedbackAccepted, long feedbackCounted, long feedbackTwice, long claimsDropped,
      long failoverMillis) {
    void assertGoals() {
      assertEquals(0, failed, "client requests that failed: " + this);
      assertEquals(0, warmChanged, "cached, previously written users whose arm changed: " + this);
      assertEquals(0, newChanged, "users first seen during the run whose arm changed: " + this);
      assertEquals(0, figuresLost, "figure deltas lost: " + this);
      // while the slot of an event id's key has no primary its SET NX fails: the event is refused (503) and the
      // client retries it, rather than each instance deduplicating in its own memory and counting it twice
      assertEquals(0, feedbackTwice, "feedback events counted twice: " + this);
      assertEquals(0, claimsDropped, "sticky first-writes dropped instead of retried: " + this);
      assertEquals(feedbackAccepted + feedbackTwice, feedbackCounted, "every accepted event counted: " + this);
      assertTrue(requests >= RATE_PER_SECOND * 5, "load: " + this);
    }
  }

  Result run(String topology, String uri, Runnable killPrimary) throws Exception {
    String yaml = FeedbackTest.yaml(a.url(), b.url(), "state:\n  redis: { uri: \"" + uri
        + "\", flushInterval: 100ms, commandTimeout: 50ms, cacheStaleness: 1h }\n", 5000);
    Gateway g1 = fx.gateway(yaml, Stores::forConfig);
    Gateway g2 = fx.gateway(yaml, Stores::forConfig);
    List<Gateway> gws = List.of(g1, g2);
    for (Gateway g : gws) {
      Eventually.await(Duration.ofSeconds(15), () -> "ready".equals(h.get(g.port(), "/readyz").json()
          .getString("status")), () -> "not ready: " + h.get(g.port(), "/readyz").json());
    }
    // warm users: written to Redis, cached by both instances
    Map<String, Set<String>> arms = new ConcurrentHashMap<>();
    for (int u = 0; u < WARM_USERS; u++) {
      for (Gateway g : gws) {
        Harness.Reply r = h.post(g.port(), "/v2/models/m/infer", "warm-" + u, "{}");
        assertEquals(200, r.status());
        arms.computeIfAbsent("warm-" + u, k -> ConcurrentHashMap.newKeySet()).add(r.header("X-Vane-Variant"));
      }
    }
    assertTrue(arms.values().stream().allMatch(s -> s.size() == 1), "warm users agree before the run");

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    AtomicLong requests = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<String> failures = new CopyOnWriteArrayList<>();
    List<String> newUsers = new CopyOnWriteArrayList<>();
    AtomicInteger newIds = new AtomicInteger();
    Map<String, AtomicInteger> feedbackAccepted = new ConcurrentHashMap<>();
    AtomicLong feedbackSent = new AtomicLong();
    AtomicLong feedbackRetried = new AtomicLong();
    java.util.Queue<Long> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    long periodNanos = 1_000_000_000L * THREADS / RATE_PER_SECOND;
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        SplittableRandom rnd = new SplittableRandom(id);
        long next = System.nanoTime();
        int n = 0;
        while (!stop.get()) {
          next += periodNanos;
          LockSupport.parkNanos(next - System.nanoTime());
          Gateway g = gws.get((id + n++) % 2);
          double p = rnd.nextDouble();
          String user;
          if (p < 0.6 || newUsers.isEmpty() && p < 0.8) {
            user = "warm-" + rnd.nextInt(WARM_USERS);
          } else if (p < 0.8) {
            user = newUsers.get(rnd.nextInt(newUsers.size()));
          } else {
            user = "new-" + newIds.incrementAndGet();
            newUsers.add(user);
          }
          requests.incrementAndGet();
          long sentAt = System.nanoTime();
          try {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port()
                    + "/v2/models/m/infer")).timeout(Duration.ofSeconds(5)).header("X-User-Id", user)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
              failed.incrementAndGet();
              failures.add(resp.statusCode() + " " + resp.body());
              continue;
            }
            latencies.add((System.nanoTime() - sentAt) / 1000);
            arms.computeIfAbsent(user, k -> ConcurrentHashMap.newKeySet())
                .add(resp.headers().firstValue("X-Vane-Variant").orElse("?"));
            if (n % 10 == 0) {
              // a conversion for this request, sent to both instances (a client retrying elsewhere)
              String rid = resp.headers().firstValue("X-Request-Id").orElseThrow();
              String body = new JsonObject().put("events", new JsonArray().add(FeedbackTest.event(rid, "ev-" + rid,
                  "click", 1))).encode();
              feedbackSent.incrementAndGet();
              for (Gateway to : List.of(g, gws.get((id + n) % 2))) {
                // as a client should: an event refused with 503 (its id could not be checked) is sent again
                for (int attempt = 0; attempt < 50; attempt++) {
                  HttpResponse<String> fb = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                          + to.adminPort() + "/v1/feedback")).timeout(Duration.ofSeconds(5))
                      .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(), HttpResponse.BodyHandlers.ofString());
                  JsonObject answer = fb.body().startsWith("{") ? new JsonObject(fb.body()) : new JsonObject();
                  feedbackAccepted.computeIfAbsent(rid, k -> new AtomicInteger())
                      .addAndGet(answer.getInteger("accepted", 0));
                  if (!fb.body().contains("deduplication_unavailable") && fb.statusCode() != 503) {
                    break;
                  }
                  feedbackRetried.incrementAndGet();
                  Thread.sleep(100);
                }
              }
            }
          } catch (Exception e) {
            failed.incrementAndGet();
            failures.add(e.toString());
          }
        }
      }, "load-" + t);
      th.start();
      threads.add(th);
    }
    Thread.sleep(3_000);
    long killedAt = System.nanoTime();
    killPrimary.run();
    long failoverMillis = (System.nanoTime() - killedAt) / 1_000_000;
    Thread.sleep(5_000);
    stop.set(true);
    for (Thread th : threads) {
      th.join();
    }

    // figures: once flushed, Redis holds the sum of both instances' local counts
    long local = localRequests(g1) + localRequests(g2);
    long[] inRedis = new long[1];
    try {
      Eventually.await(Duration.ofSeconds(15), () -> (inRedis[0] = TopologyFigures.requests(h, g1)) >= local,
          () -> "figures " + inRedis[0] + " of " + local);
    } catch (AssertionError notReached) {
      System.out.println("figures not summed: g1 " + h.get(g1.adminPort(), "/v1/experiments/e").json()
          .getString("figures") + "; g2 " + h.get(g2.adminPort(), "/v1/experiments/e").json().getString("figures"));
    }
    long accepted = feedbackAccepted.values().stream().filter(c -> c.get() > 0).count();
    long twice = feedbackAccepted.values().stream().filter(c -> c.get() > 1).count();
    long[] counted = new long[1];
    try {
      Eventually.await(Duration.ofSeconds(10), () -> (counted[0] = TopologyFigures.clicks(h, g1).values().stream()
          .mapToLong(Long::longValue).sum()) >= accepted, () -> "clicks " + counted[0]);
    } catch (AssertionError notReached) {
      // reported below
    }
    long warmChanged = arms.entrySet().stream().filter(e -> e.getKey().startsWith("warm-"))
        .filter(e -> e.getValue().size() > 1).count();
    long newChanged = arms.entrySet().stream().filter(e -> e.getKey().startsWith("new-"))
        .filter(e -> e.getValue().size() > 1).count();
    List<Long> sorted = latencies.stream().sorted().toList();
    System.out.printf("client latency %s: p50=%.1f ms p99=%.1f ms max=%.1f ms%n", topology,
        sorted.get(sorted.size() / 2) / 1e3, sorted.get((int) (sorted.size() * 0.99)) / 1e3,
        sorted.get(sorted.size() - 1) / 1e3);
    String d1 = h.get(g1.port(), "/readyz").json().getJsonObject("store").getString("detail");
    String d2 = h.get(g2.port(), "/readyz").json().getJsonObject("store").getString("detail");
    System.out.println("figures g1: " + h.get(g1.port(), "/readyz").json().getString("figures") + "\nfigures g2: "
        + h.get(g2.port(), "/readyz").json().getString("figures"));
    Result r = new Result(topology, requests.get(), failed.get(), warmChanged, newChanged, newUsers.size(),
        local - inRedis[0], accepted, counted[0], twice, dropped(d1) + dropped(d2), failoverMillis);
    System.out.printf("FAILOVER %s: requests=%d failed=%d stickyChanged(warm)=%d stickyChanged(new)=%d of %d new "
            + "users, figureDeltasLost=%d (local %d, redis %d), feedback accepted=%d counted=%d countedTwice=%d "
            + "retriedAfter503=%d, claims dropped=%d, disruption over after %d ms%n  g1: %s%n  g2: %s%n  failures: %s%n", topology,
        r.requests(), r.failed(), warmChanged, newChanged, newUsers.size(), r.figuresLost(), local, inRedis[0],
        accepted, counted[0], twice, feedbackRetried.get(), r.claimsDropped(), failoverMillis, d1, d2,
        failures.subList(0, Math.min(5, failures.size())));
    return r;
  }

  static long dropped(String storeDetail) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("dropped=(\\d+)").matcher(storeDetail);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  static long localRequests(Gateway g) {
    long sum = 0;
    for (Figures.Arm arm : g.localFigures("e").arms().values()) {
      sum += arm.requests();
    }
    return sum;
  }
}
