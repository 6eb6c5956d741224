package dev.vane.gateway.bench;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.LatencyRecorder;
import dev.vane.gateway.state.redis.RedisSettings;
import dev.vane.gateway.state.redis.RedisStickyStore;
import dev.vane.router.Assigner;
import dev.vane.router.Assignment;
import dev.vane.router.Experiment;
import dev.vane.router.GrowthBookHash;
import dev.vane.router.InMemoryStickyStore;
import dev.vane.router.ModelNames;
import dev.vane.router.RequestView;
import dev.vane.router.Route;
import dev.vane.router.RoutingTable;
import dev.vane.router.StickyStore;
import dev.vane.router.UnitIdSource;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.ThompsonConfig;
import dev.vane.stats.ThompsonSampler;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Hot paths of the request, in nanoseconds per operation (sample time: the report has the median). Run:
 * {@code mvn -q -B -pl gateway test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java
 * "-Dexec.args=-cp %classpath org.openjdk.jmh.Main HotPathBenchmark -f1 -wi 3 -i 5 -w 1s -r 1s"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPathBenchmark {
  private RoutingTable table;
  private Experiment experiment;
  private Assigner assigner;
  private UnitIdSource units;
  private final SplittableRandom random = new SplittableRandom(1);
  private String[] userIds;
  private RedisStickyStore redisStore;
  private LatencyRecorder latency;
  private ThompsonSampler bandit;
  private int i;
  private int[] order;

  /** A request as routing reads it. */
  record Request(String path, String user) implements RequestView {
    @Override public String method() { return "POST"; }
    @Override public String header(String name) { return name.equalsIgnoreCase("X-User-Id") ? user : null; }
    @Override public String queryParam(String name) { return null; }
    @Override public String cookie(String name) { return null; }
    @Override public String model() { return ModelNames.fromPath(path); }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    VaneConfig cfg = new ConfigLoader(Map.<String, String>of()::get).parse("""
        endpoints:
          - { id: a, url: "http://127.0.0.1:1" }
          - { id: b, url: "http://127.0.0.1:2" }
        routes:
          - { pathPrefix: /v2/models/other/, endpoint: a }
          - { pathPrefix: /v2/models/fraud/, experiment: fraud }
          - { pathPrefix: /v2/models/rank/, experiment: rank }
        experiments:
          - id: fraud
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 10 }
          - id: rank
            salt: rank-2026
            champion: { endpoint: b }
            canary: { endpoint: a, percent: 20 }
        """, "bench");
    table = cfg.routing();
    experiment = table.experiment("fraud");
    units = cfg.server().unitId();
    InMemoryStickyStore store = new InMemoryStickyStore(1_000_000, Duration.ofDays(1));
    assigner = new Assigner(store, () -> random, "X-Vane-Variant", Map.of());
    userIds = new String[100_000];
    for (int u = 0; u < userIds.length; u++) {
      userIds[u] = "user-" + u;
      assigner.assign(experiment, new Request(PATH, userIds[u]), userIds[u]).toCompletableFuture().join(); // warm
      if (u < 1_000) { // the users routeAndAssignTwoExperiments draws (the others' figures keep one experiment's store)
        assigner.assign(table.experiment("rank"), new Request(RANK_PATH, userIds[u]), userIds[u])
            .toCompletableFuture().join();
      }
    }
    // a Redis store whose Redis is unreachable: claims are answered locally and cached, so peek measures the
    // local cache hit alone
    redisStore = new RedisStickyStore(RedisSettings.defaults("redis://127.0.0.1:1").withCacheSize(200_000)
        .withCommandTimeout(Duration.ofMillis(1)));
    for (int u = 0; u < userIds.length; u++) {
      redisStore.claim("fraud", "fraud", userIds[u], "champion", null).toCompletableFuture().join();
    }
    order = new int[userIds.length];
    for (int u = 0; u < order.length; u++) {
      order[u] = u;
    }
    SplittableRandom shuffle = new SplittableRandom(42);
    for (int u = order.length - 1; u > 0; u--) {
      int j = shuffle.nextInt(u + 1);
      int t = order[u];
      order[u] = order[j];
      order[j] = t;
    }
    latency = new LatencyRecorder();
    BinaryStats[] batch = new BinaryStats[10];
    for (int k = 0; k < 10; k++) {
      batch[k] = BinaryStats.of(10_000, 800 + 20L * k);
    }
    bandit = ThompsonSampler.bernoulli(10, ThompsonConfig.defaults()).withBatch(batch);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    redisStore.close();
  }

  private static final String PATH = "/v2/models/fraud/infer";
  private static final String RANK_PATH = "/v2/models/rank/infer";

  /**
   * The next user's id as a request brings it: a new string (as the gateway decodes it from the header), for users
   * in a fixed random order, as traffic arrives. (Reading stored ids in the order they were stored would let every
   * structure's memory be read sequentially, which real traffic never does.)
   */
  private String nextUnit() {
    return "user-" + nextUser();
  }

  /** As {@link #nextUnit}, among the first 1,000 users only: their stored entries stay in the CPU caches. */
  private String nextHotUnit() {
    return "user-" + nextUser() % 1_000;
  }

  private int nextUser() {
    if (++i >= order.length) {
      i = 0;
    }
    return order[i];
  }

  /** The baseline of the others: making the next user's id string (subtract it from their figures). */
  @Benchmark
  public String unitStringOnly() {
    return nextUnit();
  }

  /** GrowthBook hash v2 of a unit id: the bucket. */
  @Benchmark
  public int hashOnly() {
    return GrowthBookHash.bucketV2("fraud", nextUnit());
  }

  /** Route resolution, unit id extraction and sticky assignment of a warm user (in-memory store). */
  @Benchmark
  public Assignment routeAndAssign() {
    return routeAndAssign(nextUnit());
  }

  /**
   * {@link #routeAndAssignCachedUsers} with requests taking turns between two experiments (two models behind one
   * gateway, each with its own salt): what the per-(experiment, salt) prefix caches are for.
   */
  @Benchmark
  public Assignment routeAndAssignTwoExperiments() {
    return routeAndAssign((i & 1) == 0 ? PATH : RANK_PATH, nextHotUnit());
  }

  private Assignment routeAndAssign(String user) {
    return routeAndAssign(PATH, user);
  }

  private Assignment routeAndAssign(String path, String user) {
    Request r = new Request(path, user);
    Route route = table.resolve(r.path(), r.model());
    Experiment e = table.experiment(route.experiment());
    return assigner.assign(e, r, units.unitOf(r)).toCompletableFuture().getNow(null);
  }

  /**
   * {@link #routeAndAssign} for 1,000 users whose entries stay in the CPU caches: the decision's own cost, without
   * the memory miss that a random one of 100,000 users costs.
   */
  @Benchmark
  public Assignment routeAndAssignCachedUsers() {
    return routeAndAssign(nextHotUnit());
  }

  /** The Redis sticky store's local cache hit (what a warm user costs instead of a Redis round trip). */
  @Benchmark
  public String redisStoreCacheHit() {
    return redisStore.peek("fraud", "fraud", nextUnit());
  }

  /** {@link #redisStoreCacheHit} with the unit's first exposure, from the table beside the cache (the assigner's read). */
  @Benchmark
  public StickyStore.Stored redisStoreCacheHitWithFirstExposure() {
    return redisStore.find("fraud", "fraud", nextUnit());
  }

  /** Recording one latency into an arm's HdrHistogram Recorder. */
  @Benchmark
  public void recordLatency() {
    latency.recordMicros(300 + (i++ & 1023));
  }

  /** One Thompson-sampling decision among 10 Bernoulli arms. */
  @Benchmark
  public int thompsonDecision10Arms() {
    return bandit.choose(random);
  }
}
