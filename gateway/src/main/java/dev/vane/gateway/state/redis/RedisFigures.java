package dev.vane.gateway.state.redis;

import dev.vane.gateway.counters.ArmStats;
import dev.vane.gateway.counters.ExperimentStats;
import dev.vane.gateway.counters.FigureSource;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.counters.LatencyRecorder;
import dev.vane.gateway.counters.OutcomeStats;
import dev.vane.gateway.counters.ShadowStats;
import dev.vane.gateway.feedback.Attribution;
import dev.vane.gateway.feedback.FeedbackBackend;
import dev.vane.router.Experiment;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Experiment figures summed over every gateway instance in Redis.
 *
 * <p>Each instance keeps counting locally without locks; every {@code flushInterval} a single flusher thread sends
 * the deltas since its last successful flush in one MULTI/EXEC transaction (so a failed flush applies nothing and
 * is retried whole): counters with HINCRBY, latency as this instance's cumulative HdrHistogram, compressed, in one
 * hash field per instance (readers add the instances' histograms, which merge exactly: percentiles equal those of
 * one histogram of all the data), unit ids with PFADD
 * (HyperLogLog, ±0.81%), the largest numeric shadow difference per instance with HSET. While Redis is unreachable,
 * deltas accumulate in the local counters and histograms (fixed size) and unit ids in a bounded set (excess
 * dropped and counted); nothing grows without bound.
 *
 * <p>Keys (ids escaped as in the sticky store): {@code vane:fig:<exp>:<ver>} (experiment counters),
 * {@code vane:fig:<exp>:<ver>:arm:<arm>}, {@code vane:lat:<exp>:<ver>:arm:<arm>},
 * {@code vane:units:<exp>:<ver>:arm:<arm>}, {@code vane:fig:<exp>:<ver>:shadow:<id>},
 * {@code vane:lat:<exp>:<ver>:shadow:<id>}. Keyed by experiment version, so a changed experiment starts new
 * figures and a restarted gateway continues the old ones.
 */
public final class RedisFigures implements FigureSource, FeedbackBackend {
  private static final Logger log = LoggerFactory.getLogger(RedisFigures.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** Unit ids buffered between flushes at most, over all arms. */
  static final int MAX_PENDING_UNITS = 200_000;

  private final String instance = UUID.randomUUID().toString().substring(0, 8);
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final Duration timeout;
  private final ScheduledExecutorService flusher;
  private final Set<ExperimentStats> tracked = ConcurrentHashMap.newKeySet();
  private final Map<ExperimentStats, Cursor> cursors = new HashMap<>(); // flusher thread only
  private final Map<ExperimentStats, Map<String, Set<String>>> pendingUnits = new ConcurrentHashMap<>();
  private final AtomicInteger pendingUnitCount = new AtomicInteger();
  /**
   * Slots of each arm's {@link RecentUnits}: 2^18 = 262,144 (2 MB per arm, allocated on first use), enough for a
   * few hundred thousand active units per arm per instance before re-sends become common.
   */
  static final int SENT_UNITS_LOG2 = 18;
  private final Map<ArmStats, RecentUnits> sentUnits = new ConcurrentHashMap<>();
  private final LongAdder unitsDropped = new LongAdder();
  private final LongAdder flushes = new LongAdder();
  private final LongAdder failedFlushes = new LongAdder();
  /** Attributions buffered between flushes at most; excess dropped and counted. */
  static final int MAX_PENDING_ATTRIBUTIONS = 500_000;
  private final ConcurrentLinkedQueue<String[]> pendingAttributions = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pendingAttributionCount = new AtomicInteger();
  private final LongAdder attributionsDropped = new LongAdder();
  private volatile StatefulRedisConnection<String, String> writer;
  private volatile StatefulRedisConnection<String, String> reader;
  private volatile String lastError;
  private volatile boolean closed;

  public RedisFigures(String redisUri, Duration flushInterval, Duration commandTimeout) {
    this.uri = RedisURI.create(redisUri);
    this.timeout = commandTimeout.multipliedBy(20).compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
        : commandTimeout.multipliedBy(20);
    uri.setTimeout(timeout);
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).tcpNoDelay(true).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build());
    this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vane-figures-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(10, flushInterval.toMillis());
    flusher.scheduleWithFixedDelay(this::flushSafely, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public void track(Map<String, ExperimentStats> stats) {
    tracked.addAll(stats.values());
    // arms of replaced experiment versions get no new units: forget what was sent for them
    Set<ArmStats> live = new HashSet<>();
    for (ExperimentStats es : stats.values()) {
      live.addAll(es.arms().values());
    }
    sentUnits.keySet().retainAll(live);
  }

  /**
   * Queues a unit for the arm's distinct-unit HyperLogLog unless this instance already sent it recently: warm
   * users then cost no Redis work at all (no PFADD member per request), and a unit seen again after its entry was
   * overwritten is simply sent again.
   */
  @Override
  public void unit(ExperimentStats stats, String arm, String unit) {
    RecentUnits sent = sentUnits(stats, arm);
    if (sent.contains(unit)) {
      return;
    }
    if (pend(stats, arm, unit)) {
      sent.add(unit);
    }
  }

  private RecentUnits sentUnits(ExperimentStats stats, String arm) {
    ArmStats a = stats.arm(arm);
    RecentUnits r = sentUnits.get(a);
    return r != null ? r : sentUnits.computeIfAbsent(a, k -> new RecentUnits(SENT_UNITS_LOG2));
  }

  /** Adds a unit to the pending PFADD members; false when the pending buffer is full (the unit is dropped). */
  private boolean pend(ExperimentStats stats, String arm, String unit) {
    Set<String> set = pendingUnits.computeIfAbsent(stats, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(arm, k -> ConcurrentHashMap.newKeySet());
    if (set.contains(unit)) {
      return true;
    }
    if (pendingUnitCount.incrementAndGet() > MAX_PENDING_UNITS) {
      pendingUnitCount.decrementAndGet();
      unitsDropped.increment();
      return false;
    }
    if (!set.add(unit)) {
      pendingUnitCount.decrementAndGet();
    }
    return true;
  }

  @Override
  public String describe() {
    return "redis " + redact(uri.toString()) + (reader != null && reader.isOpen() ? " up" : " down")
        + " (flushes=" + flushes.sum() + ", failed=" + failedFlushes.sum() + ", pending units="
        + pendingUnitCount.get() + ", units dropped=" + unitsDropped.sum() + ", pending attributions="
        + pendingAttributionCount.get() + ", attributions dropped=" + attributionsDropped.sum()
        + (lastError == null ? "" : ", last error: " + lastError) + ")";
  }

  private static String redact(String s) {
    return s.replaceAll("//[^@/]*@", "//***@");
  }

  // ---- flushing (flusher thread) ----

  /** Counter values already in Redis for one experiment version. */
  private static final class Cursor {
    long[] experiment = new long[Figures.Experiment.fields().length];
    final Map<String, long[]> arms = new HashMap<>();
    final Map<String, long[]> shadows = new HashMap<>();
    final Map<String, Double> maxAbsDiff = new HashMap<>();
    OutcomeStats.Snapshot outcomes = OutcomeStats.Snapshot.EMPTY;
    final Map<String, Long> latencyCounts = new HashMap<>();
  }

  private StatefulRedisConnection<String, String> connection(boolean forWriter) {
    StatefulRedisConnection<String, String> c = forWriter ? writer : reader;
    if (c != null) {
      return c;
    }
    synchronized (this) {
      c = forWriter ? writer : reader;
      if (c == null && !closed) {
        c = client.connect(uri);
        if (forWriter) {
          writer = c;
        } else {
          reader = c;
        }
      }
      return c;
    }
  }

  private void flushSafely() {
    try {
      connection(false); // connect the reader here, so API reads never block on a connect
      flush();
      lastError = null;
    } catch (Exception e) {
      failedFlushes.increment();
      lastError = e.toString();
      log.debug("figures flush failed, retrying next interval: {}", e.toString());
    }
  }

  /** One flush of every tracked experiment version; throws when Redis did not take it (nothing was applied). */
  void flush() throws Exception {
    StatefulRedisConnection<String, String> c = connection(true);
    if (c == null || !c.isOpen()) {
      throw new IllegalStateException("not connected");
    }
    RedisAsyncCommands<String, String> a = c.async();
    List<Runnable> onSuccess = new ArrayList<>();
    List<Runnable> onFailure = new ArrayList<>();
    int commands = 0;
    a.multi();
    for (ExperimentStats es : tracked) {
      Cursor cur = cursors.computeIfAbsent(es, k -> new Cursor());
      Figures.Experiment now = es.figures(false); // latency and outcomes are flushed below, on their own
      String base = Keys.figures(es.experimentId(), es.version());
      commands += incr(a, base, Figures.Experiment.fields(), now.counters(), cur.experiment, onSuccess, v -> cur.experiment = v);
      for (Map.Entry<String, ArmStats> arm : es.arms().entrySet()) {
        String id = arm.getKey();
        Figures.Arm f = now.arms().get(id);
        long[] last = cur.arms.computeIfAbsent(id, k -> new long[Figures.Arm.fields().length]);
        long[] counts = f.counters();
        counts[2] = 0; // distinct units are counted by the HyperLogLog, not summed
        commands += incr(a, base + ":arm:" + Keys.escape(id), Figures.Arm.fields(), counts, last, onSuccess,
            v -> cur.arms.put(id, v));
        commands += latency(a, Keys.latency(es.experimentId(), es.version()) + ":arm:" + Keys.escape(id),
            arm.getValue().latency, cur, onSuccess);
        Map<String, Set<String>> units = pendingUnits.get(es);
        Set<String> set = units == null ? null : units.remove(id);
        if (set != null && !set.isEmpty()) {
          String[] members = set.toArray(new String[0]);
          pendingUnitCount.addAndGet(-members.length);
          a.pfadd(Keys.units(es.experimentId(), es.version()) + ":arm:" + Keys.escape(id), members);
          commands++;
          onFailure.add(() -> {
            for (String u : members) {
              if (!pend(es, id, u)) {
                sentUnits(es, id).remove(u); // dropped: let a later request queue it again
              }
            }
          });
        }
      }
      for (Map.Entry<String, ShadowStats> sh : es.shadows().entrySet()) {
        String id = sh.getKey();
        Figures.Shadow f = now.shadows().get(id);
        long[] last = cur.shadows.computeIfAbsent(id, k -> new long[Figures.Shadow.fields().length]);
        String key = base + ":shadow:" + Keys.escape(id);
        commands += incr(a, key, Figures.Shadow.fields(), f.counters(), last, onSuccess, v -> cur.shadows.put(id, v));
        double max = f.maxAbsDiff();
        if (max > cur.maxAbsDiff.getOrDefault(id, 0.0)) {
          a.hset(key, "maxAbsDiff@" + instance, Double.toString(max));
          commands++;
          onSuccess.add(() -> cur.maxAbsDiff.put(id, max));
        }
        commands += latency(a, Keys.latency(es.experimentId(), es.version()) + ":shadow:" + Keys.escape(id),
            sh.getValue().latency, cur, onSuccess);
      }
      commands += outcomes(a, es, cur, onSuccess);
    }
    commands += attributions(a, onFailure);
    if (commands == 0) {
      a.discard();
      return;
    }
    RedisFuture<TransactionResult> exec = a.exec();
    try {
      TransactionResult r = exec.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (r.wasDiscarded()) {
        throw new IllegalStateException("transaction discarded");
      }
    } catch (Exception e) {
      onFailure.forEach(Runnable::run);
      throw e;
    }
    onSuccess.forEach(Runnable::run);
    flushes.increment();
  }

  private static int outcomes(RedisAsyncCommands<String, String> a, ExperimentStats es, Cursor cur,
      List<Runnable> onSuccess) {
    OutcomeStats.Snapshot now = es.outcomes().snapshot();
    OutcomeStats.Snapshot last = cur.outcomes;
    int n = 0;
    String out = Keys.outcomes(es.experimentId(), es.version());
    for (var arm : now.pooled().entrySet()) {
      Map<String, OutcomeStats.Sums> before = last.pooled().getOrDefault(arm.getKey(), Map.of());
      for (var m : arm.getValue().entrySet()) {
        n += sums(a, out + ":arm:" + Keys.escape(arm.getKey()), m.getKey() + ".",
            m.getValue().minus(before.getOrDefault(m.getKey(), OutcomeStats.Sums.ZERO)));
      }
    }
    for (var dim : now.slices().entrySet()) {
      String key = Keys.slices(es.experimentId(), es.version()) + ":" + Keys.escape(dim.getKey());
      var beforeDim = last.slices().getOrDefault(dim.getKey(), Map.of());
      for (var value : dim.getValue().entrySet()) {
        var beforeValue = beforeDim.getOrDefault(value.getKey(), Map.of());
        for (var arm : value.getValue().entrySet()) {
          OutcomeStats.SliceCell was = beforeValue.get(arm.getKey());
          String prefix = value.getKey() + SEP + arm.getKey() + SEP;
          long exp = arm.getValue().exposures() - (was == null ? 0 : was.exposures());
          if (exp != 0) {
            a.hincrby(key, prefix + "exposures", exp);
            n++;
          }
          for (var m : arm.getValue().metrics().entrySet()) {
            OutcomeStats.Sums b = was == null ? OutcomeStats.Sums.ZERO
                : was.metrics().getOrDefault(m.getKey(), OutcomeStats.Sums.ZERO);
            n += sums(a, key, prefix + m.getKey() + ".", m.getValue().minus(b));
          }
        }
      }
    }
    if (n > 0) {
      onSuccess.add(() -> cur.outcomes = now);
    }
    return n;
  }

  private static final String SEP = "\u001f";

  private static int sums(RedisAsyncCommands<String, String> a, String key, String prefix, OutcomeStats.Sums d) {
    if (d.n() == 0 && d.sum() == 0 && d.sumSq() == 0) {
      return 0;
    }
    a.hincrby(key, prefix + "n", d.n());
    a.hincrbyfloat(key, prefix + "sum", d.sum());
    a.hincrbyfloat(key, prefix + "sumsq", d.sumSq());
    return 3;
  }

  private int attributions(RedisAsyncCommands<String, String> a, List<Runnable> onFailure) {
    Map<String, Map<String, String>> byBucket = new HashMap<>();
    Map<String, Long> ttl = new HashMap<>();
    List<String[]> taken = new ArrayList<>();
    String[] item;
    while ((item = pendingAttributions.poll()) != null) {
      pendingAttributionCount.decrementAndGet();
      taken.add(item);
      byBucket.computeIfAbsent(item[0], k -> new HashMap<>()).put(item[1], item[2]);
      ttl.merge(item[0], Long.parseLong(item[3]), Math::max);
    }
    int n = 0;
    for (var e : byBucket.entrySet()) {
      a.hset(e.getKey(), e.getValue());
      a.pexpire(e.getKey(), ttl.get(e.getKey()));
      n += 2;
    }
    if (!taken.isEmpty()) {
      onFailure.add(() -> taken.forEach(t -> {
        if (pendingAttributionCount.incrementAndGet() <= MAX_PENDING_ATTRIBUTIONS) {
          pendingAttributions.add(t);
        } else {
          pendingAttributionCount.decrementAndGet();
          attributionsDropped.increment();
        }
      }));
    }
    return n;
  }

  // ---- feedback backend ----

  private static final long HOUR = 3_600_000L;

  static String attributionBucket(long epochMillis) {
    return "vane:attr:" + (epochMillis / HOUR);
  }

  @Override
  public void share(String key, Attribution att, Duration window) {
    if (pendingAttributionCount.incrementAndGet() > MAX_PENDING_ATTRIBUTIONS) {
      pendingAttributionCount.decrementAndGet();
      attributionsDropped.increment();
      return;
    }
    pendingAttributions.add(new String[] {attributionBucket(att.atMillis()), key, att.encode(),
        Long.toString(window.toMillis() + HOUR)});
  }

  @Override
  public CompletionStage<Attribution> lookup(String key, Duration window) {
    StatefulRedisConnection<String, String> c = reader;
    if (c == null || !c.isOpen()) {
      return CompletableFuture.completedFuture(null);
    }
    long now = System.currentTimeMillis();
    long hours = Math.min(24 * 31, window.toMillis() / HOUR + 1);
    List<CompletableFuture<String>> gets = new ArrayList<>();
    for (long h = 0; h <= hours; h++) {
      gets.add(c.async().hget(attributionBucket(now - h * HOUR), key).toCompletableFuture());
    }
    return CompletableFuture.allOf(gets.toArray(new CompletableFuture[0]))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(v -> {
          for (CompletableFuture<String> g : gets) {
            Attribution at = Attribution.decode(g.join());
            if (at != null) {
              return at;
            }
          }
          return null;
        });
  }

  @Override
  public CompletionStage<Boolean> firstSeen(String experiment, String eventId, Duration window) {
    StatefulRedisConnection<String, String> c = reader;
    if (c == null || !c.isOpen()) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    String key = "vane:evt:" + Keys.escape(experiment) + ":" + Keys.escape(eventId);
    return c.async().set(key, "1", SetArgs.Builder.nx().px(Math.max(1, window.toMillis()) + HOUR))
        .toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(r -> "OK".equals(r));
  }

  private static int incr(RedisAsyncCommands<String, String> a, String key, String[] fields, long[] now,
      long[] last, List<Runnable> onSuccess, java.util.function.Consumer<long[]> advance) {
    int n = 0;
    for (int i = 0; i < fields.length; i++) {
      long d = now[i] - last[i];
      if (d != 0) {
        a.hincrby(key, fields[i], d);
        n++;
      }
    }
    if (n > 0) {
      long[] copy = now.clone();
      onSuccess.add(() -> advance.accept(copy));
    }
    return n;
  }

  /**
   * Writes this instance's cumulative histogram of one arm or shadow as one hash field (compressed HdrHistogram
   * encoding, base64) when it changed: one command per flush, and readers merge every instance's field exactly.
   */
  private int latency(RedisAsyncCommands<String, String> a, String key, LatencyRecorder rec, Cursor cur,
      List<Runnable> onSuccess) {
    Histogram h = rec.snapshot();
    long count = h.getTotalCount();
    Long last = cur.latencyCounts.get(key);
    if (count == 0 || (last != null && last == count)) {
      return 0;
    }
    a.hset(key, instance, encode(h));
    onSuccess.add(() -> cur.latencyCounts.put(key, count));
    return 1;
  }

  static String encode(Histogram h) {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
  }

  static Histogram decode(String s) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(s)),
          0);
    } catch (java.util.zip.DataFormatException | IllegalArgumentException e) {
      throw new IllegalStateException("undecodable latency histogram in Redis: " + e.getMessage(), e);
    }
  }

  // ---- reading (any thread) ----

  @Override
  public CompletionStage<Figures.Experiment> read(Experiment e, ExperimentStats local) {
    StatefulRedisConnection<String, String> c = reader;
    if (c == null || !c.isOpen()) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    RedisAsyncCommands<String, String> a = c.async();
    String base = Keys.figures(e.id(), e.version());
    String lat = Keys.latency(e.id(), e.version());
    String units = Keys.units(e.id(), e.version());
    CompletableFuture<Map<String, String>> expF = a.hgetall(base).toCompletableFuture();
    Map<String, CompletableFuture<Map<String, String>>> armF = new LinkedHashMap<>();
    Map<String, CompletableFuture<Map<String, String>>> armLatF = new HashMap<>();
    Map<String, CompletableFuture<Long>> armUnitsF = new HashMap<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    all.add(expF);
    for (var arm : e.arms()) {
      String k = ":arm:" + Keys.escape(arm.id());
      armF.put(arm.id(), a.hgetall(base + k).toCompletableFuture());
      armLatF.put(arm.id(), a.hgetall(lat + k).toCompletableFuture());
      armUnitsF.put(arm.id(), a.pfcount(units + k).toCompletableFuture());
    }
    Map<String, CompletableFuture<Map<String, String>>> shF = new LinkedHashMap<>();
    Map<String, CompletableFuture<Map<String, String>>> shLatF = new HashMap<>();
    for (var sh : e.shadows()) {
      String k = ":shadow:" + Keys.escape(sh.id());
      shF.put(sh.id(), a.hgetall(base + k).toCompletableFuture());
      shLatF.put(sh.id(), a.hgetall(lat + k).toCompletableFuture());
    }
    String out = Keys.outcomes(e.id(), e.version());
    Map<String, CompletableFuture<Map<String, String>>> outF = new LinkedHashMap<>();
    for (var arm : e.arms()) {
      outF.put(arm.id(), a.hgetall(out + ":arm:" + Keys.escape(arm.id())).toCompletableFuture());
    }
    Map<String, CompletableFuture<Map<String, String>>> sliceF = new LinkedHashMap<>();
    for (var dim : local.outcomes().analysis().slices()) {
      sliceF.put(dim.name(), a.hgetall(Keys.slices(e.id(), e.version()) + ":" + Keys.escape(dim.name()))
          .toCompletableFuture());
    }
    all.addAll(outF.values());
    all.addAll(sliceF.values());
    all.addAll(armF.values());
    all.addAll(armLatF.values());
    all.addAll(armUnitsF.values());
    all.addAll(shF.values());
    all.addAll(shLatF.values());
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(v -> {
          Map<String, Figures.Arm> arms = new LinkedHashMap<>();
          armF.forEach((id, f) -> {
            long[] c2 = longs(f.join(), Figures.Arm.fields());
            c2[2] = armUnitsF.get(id).join();
            arms.put(id, Figures.Arm.of(c2, histogram(armLatF.get(id).join())));
          });
          Map<String, Figures.Shadow> shadows = new LinkedHashMap<>();
          shF.forEach((id, f) -> {
            Map<String, String> m = f.join();
            double max = 0;
            for (var en : m.entrySet()) {
              if (en.getKey().startsWith("maxAbsDiff@")) {
                max = Math.max(max, Double.parseDouble(en.getValue()));
              }
            }
            shadows.put(id, Figures.Shadow.of(longs(m, Figures.Shadow.fields()), max, histogram(shLatF.get(id).join())));
          });
          long[] ec = longs(expF.join(), Figures.Experiment.fields());
          return new Figures.Experiment("redis", ec[0], ec[1], ec[2], arms, shadows, outcomesOf(local, outF, sliceF));
        });
  }

  private static OutcomeStats.Snapshot outcomesOf(ExperimentStats local,
      Map<String, CompletableFuture<Map<String, String>>> outF,
      Map<String, CompletableFuture<Map<String, String>>> sliceF) {
    var metrics = local.outcomes().analysis().metrics();
    Map<String, Map<String, OutcomeStats.Sums>> pooled = new LinkedHashMap<>();
    outF.forEach((arm, f) -> {
      Map<String, String> h = f.join();
      Map<String, OutcomeStats.Sums> ms = new LinkedHashMap<>();
      for (var m : metrics) {
        ms.put(m.name(), sumsOf(h, m.name() + "."));
      }
      pooled.put(arm, ms);
    });
    Map<String, Map<String, Map<String, OutcomeStats.SliceCell>>> slices = new LinkedHashMap<>();
    sliceF.forEach((dim, f) -> {
      Map<String, String> h = f.join();
      // fields: value SEP arm SEP (exposures | metric.n | metric.sum | metric.sumsq)
      Map<String, Map<String, Map<String, String>>> grouped = new LinkedHashMap<>();
      h.forEach((field, v) -> {
        String[] p = field.split(SEP, 3);
        if (p.length == 3) {
          grouped.computeIfAbsent(p[0], k -> new LinkedHashMap<>()).computeIfAbsent(p[1], k -> new HashMap<>())
              .put(p[2], v);
        }
      });
      Map<String, Map<String, OutcomeStats.SliceCell>> values = new LinkedHashMap<>();
      grouped.forEach((value, arms) -> {
        Map<String, OutcomeStats.SliceCell> cells = new LinkedHashMap<>();
        arms.forEach((arm, fields) -> {
          Map<String, OutcomeStats.Sums> ms = new LinkedHashMap<>();
          for (var m : metrics) {
            ms.put(m.name(), sumsOf(fields, m.name() + "."));
          }
          String exp = fields.get("exposures");
          cells.put(arm, new OutcomeStats.SliceCell(exp == null ? 0 : Long.parseLong(exp), ms));
        });
        values.put(value, cells);
      });
      slices.put(dim, values);
    });
    return new OutcomeStats.Snapshot(pooled, slices);
  }

  private static OutcomeStats.Sums sumsOf(Map<String, String> h, String prefix) {
    String n = h.get(prefix + "n");
    String sum = h.get(prefix + "sum");
    String sq = h.get(prefix + "sumsq");
    return new OutcomeStats.Sums(n == null ? 0 : Long.parseLong(n), sum == null ? 0 : Double.parseDouble(sum),
        sq == null ? 0 : Double.parseDouble(sq));
  }

  private static long[] longs(Map<String, String> m, String[] fields) {
    long[] out = new long[fields.length];
    for (int i = 0; i < fields.length; i++) {
      String v = m.get(fields[i]);
      out[i] = v == null ? 0 : Long.parseLong(v);
    }
    return out;
  }

  /** Merges every instance's cumulative histogram (one field per instance). */
  private static Histogram histogram(Map<String, String> perInstance) {
    Histogram h = LatencyRecorder.newHistogram();
    for (String encoded : perInstance.values()) {
      h.add(decode(encoded));
    }
    return h;
  }

  /** Flushes once more (best effort) and disconnects. */
  @Override
  public void close() {
    flusher.shutdown();
    try {
      flusher.awaitTermination(2, TimeUnit.SECONDS);
      flushSafely();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
    synchronized (this) {
      if (writer != null) {
        writer.close();
      }
      if (reader != null) {
        reader.close();
      }
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    resources.shutdown(0, 1, TimeUnit.SECONDS);
  }

  /** Key names. */
  static final class Keys {
    private Keys() {}

    static String escape(String id) {
      return id.replace("%", "%25").replace(":", "%3A");
    }

    static String figures(String exp, String version) {
      return "vane:fig:" + escape(exp) + ":" + escape(version);
    }

    static String latency(String exp, String version) {
      return "vane:lat:" + escape(exp) + ":" + escape(version);
    }

    static String outcomes(String exp, String version) {
      return "vane:out:" + escape(exp) + ":" + escape(version);
    }

    static String slices(String exp, String version) {
      return "vane:slice:" + escape(exp) + ":" + escape(version);
    }

    static String units(String exp, String version) {
      return "vane:units:" + escape(exp) + ":" + escape(version);
    }
  }
}
