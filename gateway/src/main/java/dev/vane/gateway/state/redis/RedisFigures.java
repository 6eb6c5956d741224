package dev.vane.gateway.state.redis;

import dev.vane.config.Redaction;
import dev.vane.gateway.counters.ArmCounters;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.FigureSource;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.gateway.counters.SeriesRows;
import dev.vane.gateway.counters.ShadowCounters;
import dev.vane.gateway.counters.TimeSeries;
import dev.vane.router.Experiment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Experiment figures summed over every gateway instance in Redis.
 *
 * <p>Each instance keeps counting locally without locks; every {@code flushInterval} a single flusher thread sends
 * the deltas since its last successful flush, one MULTI/EXEC transaction per experiment version (all its keys carry
 * the experiment's hash tag, {@link RedisKeys}, so each transaction lands in one Redis Cluster slot; a failed
 * transaction applies nothing and that experiment's deltas are retried whole at the next flush): counters with
 * HINCRBY, latency as this instance's cumulative HdrHistogram, compressed, in one hash field per instance (readers
 * add the instances' histograms, which merge exactly: percentiles equal those of one histogram of all the data),
 * unit ids with PFADD (HyperLogLog, ±0.81%), the largest numeric shadow difference per instance with HSET. While
 * Redis is unreachable, deltas accumulate in the local counters and histograms (fixed size) and unit ids in a bounded
 * set (excess dropped and counted); nothing grows without bound.
 *
 * <p>Keyed by experiment version ({@link RedisKeys}), so a changed experiment starts new figures and a restarted
 * gateway continues the old ones.
 */
public final class RedisFigures implements FigureSource {
  private static final Logger log = LoggerFactory.getLogger(RedisFigures.class);
  /** Unit ids buffered between flushes at most, over all arms. */
  static final int MAX_PENDING_UNITS = 200_000;
  /**
   * Slots of each arm's {@link RecentUnits}: 2^18 = 262,144 (2 MB per arm, allocated on first use), enough for a
   * few hundred thousand active units per arm per instance before re-sends become common.
   */
  static final int SENT_UNITS_LOG2 = 18;

  private final String instance = UUID.randomUUID().toString().substring(0, 8);
  private final RedisLinks links;
  private final Set<ExperimentCounters> tracked = ConcurrentHashMap.newKeySet();
  private final Map<ExperimentCounters, Cursor> cursors = new HashMap<>(); // flusher thread only
  private final Map<ExperimentCounters, Map<String, Set<String>>> pendingUnits = new ConcurrentHashMap<>();
  private final AtomicInteger pendingUnitCount = new AtomicInteger();
  private final Map<ArmCounters, RecentUnits> sentUnits = new ConcurrentHashMap<>();
  private final LongAdder unitsDropped = new LongAdder();
  private final LongAdder flushes = new LongAdder();
  private final LongAdder failedFlushes = new LongAdder();
  private final ScheduledExecutorService flusher;
  private final ResponseFigures responses = new ResponseFigures(instance);

  /** Figures in the Redis at {@code redisUri}, flushed every {@code flushInterval}, through the process's factory. */
  public RedisFigures(String redisUri, Duration flushInterval, Duration commandTimeout) {
    this.links = new RedisLinks(redisUri, commandTimeout, "figures");
    this.flusher = RedisLinks.flusher("vane-figures-", flushInterval, this::flushSafely);
  }

  @Override
  public void track(Map<String, ExperimentCounters> stats) {
    tracked.addAll(stats.values());
    // arms of replaced experiment versions get no new units: forget what was sent for them
    Set<ArmCounters> live = new HashSet<>();
    for (ExperimentCounters es : stats.values()) {
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
  public void unit(ExperimentCounters stats, String arm, String unit) {
    RecentUnits sent = sentUnits(stats, arm);
    if (sent.contains(unit)) {
      return;
    }
    if (pend(stats, arm, unit)) {
      sent.add(unit);
    }
  }

  private RecentUnits sentUnits(ExperimentCounters stats, String arm) {
    ArmCounters a = stats.arm(arm);
    RecentUnits r = sentUnits.get(a);
    return r != null ? r : sentUnits.computeIfAbsent(a, k -> new RecentUnits(SENT_UNITS_LOG2));
  }

  /** Adds a unit to the pending PFADD members; false when the pending buffer is full (the unit is dropped). */
  private boolean pend(ExperimentCounters stats, String arm, String unit) {
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
    String error = links.lastError();
    return "redis " + Redaction.uri(links.uri()) + (links.readerUp() ? " up" : " down")
        + " (flushes=" + flushes.sum() + ", failed=" + failedFlushes.sum() + ", pending units="
        + pendingUnitCount.get() + ", units dropped=" + unitsDropped.sum()
        + (error == null ? "" : ", last error: " + error) + ")";
  }

  // ---- flushing (flusher thread) ----

  /** Counter values already in Redis for one experiment version. */
  private static final class Cursor {
    long[] experiment = new long[Figures.Experiment.fields().length];
    final Map<String, long[]> arms = new HashMap<>();
    final Map<String, long[]> shadows = new HashMap<>();
    final Map<String, Double> maxAbsDiff = new HashMap<>();
    OutcomeCounters.Snapshot outcomes = OutcomeCounters.Snapshot.EMPTY;
    final Map<String, Long> latencyCounts = new HashMap<>();
  }

  private void flushSafely() {
    links.flushSafely(this::flush, flushes, failedFlushes);
  }

  /** One flush of every tracked experiment version; throws when Redis did not apply some of it. */
  void flush() throws Exception {
    links.send(plan());
  }

  /**
   * The transactions of the next flush, one per experiment version with something to write; takes the buffered
   * unit ids (a transaction that fails puts its own back).
   */
  List<FlushBatch> plan() {
    List<FlushBatch> batches = new ArrayList<>();
    for (ExperimentCounters es : tracked) {
      FlushBatch batch = experiment(es, cursors.computeIfAbsent(es, k -> new Cursor()));
      if (!batch.isEmpty()) {
        batches.add(batch);
      }
    }
    return batches;
  }

  private FlushBatch experiment(ExperimentCounters es, Cursor cur) {
    String exp = es.experimentId();
    String ver = es.version();
    FlushBatch b = new FlushBatch(RedisKeys.tag(exp));
    Figures.Experiment now = es.figures(false); // latency and outcomes are flushed below, on their own
    incr(b, RedisKeys.figures(exp, ver), Figures.Experiment.fields(), now.counters(), cur.experiment,
        v -> cur.experiment = v);
    Map<String, Set<String>> units = pendingUnits.get(es);
    for (Map.Entry<String, ArmCounters> arm : es.arms().entrySet()) {
      String id = arm.getKey();
      long[] counts = now.arms().get(id).counters();
      counts[2] = 0; // distinct units are counted by the HyperLogLog, not summed
      incr(b, RedisKeys.armFigures(exp, ver, id), Figures.Arm.fields(), counts,
          cur.arms.computeIfAbsent(id, k -> new long[Figures.Arm.fields().length]), v -> cur.arms.put(id, v));
      latency(b, RedisKeys.armLatency(exp, ver, id), arm.getValue().latencyHistogram(), cur);
      Set<String> set = units == null ? null : units.get(id);
      // drained member by member, never swapped out: a unit a request adds while the flush runs either is taken
      // here or stays for the next flush (a swapped-out set could take a late add with it, and that unit, already
      // marked as sent, would never be counted)
      List<String> taken = new ArrayList<>();
      if (set != null) {
        for (String u : set) {
          if (set.remove(u)) {
            taken.add(u);
          }
        }
      }
      if (!taken.isEmpty()) {
        String[] members = taken.toArray(new String[0]);
        pendingUnitCount.addAndGet(-members.length);
        b.pfadd(RedisKeys.armUnits(exp, ver, id), members);
        b.onFailure(() -> {
          for (String u : members) {
            if (!pend(es, id, u)) {
              sentUnits(es, id).remove(u); // dropped: let a later request queue it again
            }
          }
        });
      }
    }
    for (Map.Entry<String, ShadowCounters> sh : es.shadows().entrySet()) {
      String id = sh.getKey();
      Figures.Shadow f = now.shadows().get(id);
      String key = RedisKeys.shadowFigures(exp, ver, id);
      incr(b, key, Figures.Shadow.fields(), f.counters(),
          cur.shadows.computeIfAbsent(id, k -> new long[Figures.Shadow.fields().length]), v -> cur.shadows.put(id, v));
      double max = f.maxAbsDiff();
      if (max > cur.maxAbsDiff.getOrDefault(id, 0.0)) {
        b.hset(key, "maxAbsDiff@" + instance, Double.toString(max));
        b.onSuccess(() -> cur.maxAbsDiff.put(id, max));
      }
      latency(b, RedisKeys.shadowLatency(exp, ver, id), sh.getValue().latencyHistogram(), cur);
    }
    outcomes(b, es, cur);
    series(b, es);
    responses.flush(b, es);
    return b;
  }

  /**
   * The time series' rows written since the last flush: their deltas summed into one hash per experiment version
   * per minute and per hour ({@link SeriesCodec}), each expiring when its period leaves the minute window or the
   * retention; a failed transaction offers them again, whole, at the next flush.
   */
  private static void series(FlushBatch b, ExperimentCounters es) {
    long now = es.timeSeries().nowMillis();
    for (TimeSeries.Change c : es.timeSeries().changes()) {
      String key = RedisKeys.series(es.experimentId(), es.version(), c.resolution().code(), c.period());
      if (SeriesCodec.write(b, key, c.delta()) > 0) {
        b.pexpire(key, Math.max(1, c.expireAtMillis() - now));
      }
      b.onSuccess(c::committed);
      b.onFailure(c::failed);
    }
  }

  private static void outcomes(FlushBatch b, ExperimentCounters es, Cursor cur) {
    String exp = es.experimentId();
    String ver = es.version();
    OutcomeCounters.Snapshot now = es.outcomes().snapshot();
    OutcomeCounters.Snapshot last = cur.outcomes;
    int n = 0;
    for (var arm : now.pooled().entrySet()) {
      Map<String, OutcomeCounters.Sums> before = last.pooled().getOrDefault(arm.getKey(), Map.of());
      for (var m : arm.getValue().entrySet()) {
        n += sums(b, RedisKeys.armOutcomes(exp, ver, arm.getKey()), m.getKey() + ".",
            m.getValue().minus(before.getOrDefault(m.getKey(), OutcomeCounters.Sums.ZERO)));
      }
    }
    for (var dim : now.slices().entrySet()) {
      String key = RedisKeys.slice(exp, ver, dim.getKey());
      var beforeDim = last.slices().getOrDefault(dim.getKey(), Map.of());
      for (var value : dim.getValue().entrySet()) {
        var beforeValue = beforeDim.getOrDefault(value.getKey(), Map.of());
        for (var arm : value.getValue().entrySet()) {
          OutcomeCounters.SliceCell was = beforeValue.get(arm.getKey());
          String prefix = value.getKey() + FiguresReader.SEP + arm.getKey() + FiguresReader.SEP;
          long exposures = arm.getValue().exposures() - (was == null ? 0 : was.exposures());
          if (exposures != 0) {
            b.hincrby(key, prefix + "exposures", exposures);
            n++;
          }
          for (var m : arm.getValue().metrics().entrySet()) {
            OutcomeCounters.Sums before = was == null ? OutcomeCounters.Sums.ZERO
                : was.metrics().getOrDefault(m.getKey(), OutcomeCounters.Sums.ZERO);
            n += sums(b, key, prefix + m.getKey() + ".", m.getValue().minus(before));
          }
        }
      }
    }
    if (n > 0) {
      b.onSuccess(() -> cur.outcomes = now);
    }
  }

  private static int sums(FlushBatch b, String key, String prefix, OutcomeCounters.Sums d) {
    if (d.n() == 0 && d.sum() == 0 && d.sumSq() == 0) {
      return 0;
    }
    b.hincrby(key, prefix + "n", d.n());
    b.hincrbyfloat(key, prefix + "sum", d.sum());
    b.hincrbyfloat(key, prefix + "sumsq", d.sumSq());
    return 3;
  }

  private static void incr(FlushBatch b, String key, String[] fields, long[] now, long[] last,
      Consumer<long[]> advance) {
    int n = 0;
    for (int i = 0; i < fields.length; i++) {
      long d = now[i] - last[i];
      if (d != 0) {
        b.hincrby(key, fields[i], d);
        n++;
      }
    }
    if (n > 0) {
      long[] copy = now.clone();
      b.onSuccess(() -> advance.accept(copy));
    }
  }

  /**
   * Writes this instance's cumulative histogram of one arm or shadow as one hash field (compressed HdrHistogram
   * encoding, base64) when it changed: one command per flush, and readers merge every instance's field exactly.
   */
  private void latency(FlushBatch b, String key, Histogram h, Cursor cur) {
    long count = h.getTotalCount();
    Long last = cur.latencyCounts.get(key);
    if (count == 0 || (last != null && last == count)) {
      return;
    }
    b.hset(key, instance, FiguresReader.encode(h));
    b.onSuccess(() -> cur.latencyCounts.put(key, count));
  }

  // ---- reading (any thread) ----

  @Override
  public CompletionStage<Figures.Experiment> read(Experiment e, ExperimentCounters local) {
    RedisLink reader = links.reader();
    if (reader == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    return FiguresReader.read(reader.commands(), e, local, links.timeout());
  }

  @Override
  public CompletionStage<SeriesRows> readSeries(Experiment e, ExperimentCounters local,
      TimeSeries.Resolution resolution, long fromPeriod, long toPeriod) {
    RedisLink reader = links.reader();
    if (reader == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    return SeriesReader.read(reader.commands(), local, resolution, fromPeriod, toPeriod, links.timeout());
  }

  @Override
  public CompletionStage<ResponseCounters.Snapshot> readResponses(Experiment e, ExperimentCounters local) {
    RedisLink reader = links.reader();
    if (reader == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    return ResponseFigures.read(reader.commands(), e, local, links.timeout());
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
    links.close();
  }
}
