package dev.vane.gateway.state.redis;

import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.router.Experiment;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Response-metric figures ({@link ResponseCounters}) summed over instances in Redis, written inside
 * {@link RedisFigures}' transaction of each experiment version (so a failed flush retries them whole with the
 * rest) and read back in one pipeline. Per arm ({@code arm}) and shadow ({@code shadow}), hash
 * {@link RedisKeys#responses}: {@code <metric>.n}, {@code .sum}, {@code .sumsq} (HINCRBY / HINCRBYFLOAT of the
 * deltas since the last applied flush), {@code <metric> SEP unsketched} and {@code <metric> SEP skip SEP <reason>};
 * hash {@link RedisKeys#responseSketches}: {@code <metric>@<instance>}, this instance's cumulative sketch (compressed
 * HdrHistogram, base64, as the latency histograms), which readers add exactly.
 */
final class ResponseFigures {
  private static final String SEP = FiguresReader.SEP;

  /** What Redis holds of one experiment version from this instance (flusher thread only). */
  private static final class Cursor {
    ResponseCounters.Snapshot applied = ResponseCounters.Snapshot.EMPTY;
  }

  private final String instance;
  private final Map<ExperimentCounters, Cursor> cursors = new HashMap<>();

  ResponseFigures(String instance) {
    this.instance = instance;
  }

  /** Adds the writes of {@code es}'s response figures to its batch. */
  void flush(FlushBatch b, ExperimentCounters es) {
    Cursor cur = cursors.computeIfAbsent(es, k -> new Cursor());
    ResponseCounters.Snapshot now = es.responses().snapshot();
    int n = target(b, es, "arm", now.arms(), cur.applied.arms());
    n += target(b, es, "shadow", now.shadows(), cur.applied.shadows());
    if (n > 0) {
      b.onSuccess(() -> cur.applied = now);
    }
  }

  private int target(FlushBatch b, ExperimentCounters es, String kind, Map<String, Map<String, ResponseCounters.Cell>> now,
      Map<String, Map<String, ResponseCounters.Cell>> before) {
    int n = 0;
    for (var t : now.entrySet()) {
      String key = RedisKeys.responses(es.experimentId(), es.version(), kind, t.getKey());
      String sketches = RedisKeys.responseSketches(es.experimentId(), es.version(), kind, t.getKey());
      Map<String, ResponseCounters.Cell> was = before.getOrDefault(t.getKey(), Map.of());
      for (var m : t.getValue().entrySet()) {
        String metric = m.getKey();
        ResponseCounters.Cell c = m.getValue();
        ResponseCounters.Cell w = was.getOrDefault(metric, ResponseCounters.Cell.EMPTY);
        OutcomeCounters.Sums d = c.sums().minus(w.sums());
        if (d.n() != 0) {
          b.hincrby(key, metric + ".n", d.n());
          b.hincrbyfloat(key, metric + ".sum", d.sum());
          b.hincrbyfloat(key, metric + ".sumsq", d.sumSq());
          n += 3;
        }
        if (c.unsketched() != w.unsketched()) {
          b.hincrby(key, metric + SEP + "unsketched", c.unsketched() - w.unsketched());
          n++;
        }
        for (var r : c.skipped().entrySet()) {
          long delta = r.getValue() - w.skipped().getOrDefault(r.getKey(), 0L);
          if (delta != 0) {
            b.hincrby(key, metric + SEP + "skip" + SEP + r.getKey(), delta);
            n++;
          }
        }
        if (c.sketch().getTotalCount() != w.sketch().getTotalCount()) {
          b.hset(sketches, metric + "@" + instance, FiguresReader.encode(c.sketch()));
          n++;
        }
      }
    }
    return n;
  }

  /** The figures of {@code e} over every instance. */
  static CompletionStage<ResponseCounters.Snapshot> read(RedisClusterAsyncCommands<String, String> a, Experiment e,
      ExperimentCounters local, Duration timeout) {
    List<String> names = local.responses().names();
    Map<String, CompletableFuture<Map<String, String>>[]> arms = new LinkedHashMap<>();
    Map<String, CompletableFuture<Map<String, String>>[]> shadows = new LinkedHashMap<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (var arm : e.arms()) {
      arms.put(arm.id(), fetch(a, e, "arm", arm.id(), all));
    }
    for (var sh : e.shadows()) {
      shadows.put(sh.id(), fetch(a, e, "shadow", sh.id(), all));
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(v -> new ResponseCounters.Snapshot(cells(arms, names), cells(shadows, names)));
  }

  @SuppressWarnings("unchecked")
  private static CompletableFuture<Map<String, String>>[] fetch(RedisClusterAsyncCommands<String, String> a,
      Experiment e, String kind, String id, List<CompletableFuture<?>> all) {
    CompletableFuture<Map<String, String>>[] f = new CompletableFuture[] {
        a.hgetall(RedisKeys.responses(e.id(), e.version(), kind, id)).toCompletableFuture(),
        a.hgetall(RedisKeys.responseSketches(e.id(), e.version(), kind, id)).toCompletableFuture()};
    all.add(f[0]);
    all.add(f[1]);
    return f;
  }

  private static Map<String, Map<String, ResponseCounters.Cell>> cells(
      Map<String, CompletableFuture<Map<String, String>>[]> targets, List<String> names) {
    Map<String, Map<String, ResponseCounters.Cell>> out = new LinkedHashMap<>();
    targets.forEach((id, f) -> {
      Map<String, String> h = f[0].join();
      Map<String, String> sk = f[1].join();
      Map<String, ResponseCounters.Cell> cells = new LinkedHashMap<>();
      for (String metric : names) {
        Map<String, Long> skipped = new java.util.TreeMap<>();
        String prefix = metric + SEP + "skip" + SEP;
        h.forEach((field, v) -> {
          if (field.startsWith(prefix)) {
            skipped.put(field.substring(prefix.length()), Long.parseLong(v));
          }
        });
        Histogram sketch = ResponseCounters.newSketch();
        sk.forEach((field, v) -> {
          if (field.startsWith(metric + "@") && field.indexOf('@', metric.length() + 1) < 0) {
            sketch.add(FiguresReader.decode(v));
          }
        });
        String uns = h.get(metric + SEP + "unsketched");
        cells.put(metric, new ResponseCounters.Cell(FiguresReader.sumsOf(h, metric + "."), sketch,
            uns == null ? 0 : Long.parseLong(uns), skipped));
      }
      out.put(id, cells);
    });
    return out;
  }
}
