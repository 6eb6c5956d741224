package dev.vane.gateway.state.redis;

import dev.vane.gateway.counters.CalibrationCounters;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.counters.ReferenceSketches;
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
 * HdrHistogram, base64, as the latency histograms), which readers add exactly, and for a metric with a reference
 * window {@code <metric>@<instance>@ref} and {@code @after} ({@link ReferenceSketches}).
 *
 * <p>Online calibration ({@link CalibrationCounters}): per arm, hash {@link RedisKeys#calibration} with, per
 * calibrated metric, {@code <metric> SEP n SEP <bin>}, {@code SEP p SEP <bin>} (sum of predictions),
 * {@code SEP y SEP <bin>} (positives), {@code SEP brier}, {@code SEP brier2}, {@code SEP log}, {@code SEP log2},
 * {@code SEP oor}; the version's hash {@link RedisKeys#responseMeta} adds {@code dropped} and {@code unjoined} and
 * holds the version's agreed {@code start} (the first instance's, set once) that the reference windows count from.
 */
final class ResponseFigures {
  private static final String SEP = FiguresReader.SEP;

  /** What Redis holds of one experiment version from this instance (flusher thread only). */
  private static final class Cursor {
    ResponseCounters.Snapshot applied = ResponseCounters.Snapshot.EMPTY;
    /** Whether this instance learned the version's agreed start. */
    volatile boolean startAgreed;
  }

  private final String instance;
  private final Map<ExperimentCounters, Cursor> cursors = new HashMap<>();

  ResponseFigures(String instance) {
    this.instance = instance;
  }

  /** Adds the writes of {@code es}'s response figures to its batch. */
  void flush(FlushBatch b, ExperimentCounters es) {
    Cursor cur = cursors.computeIfAbsent(es, k -> new Cursor());
    ResponseCounters.Snapshot now = es.responseSnapshot();
    int n = target(b, es, "arm", now.arms(), cur.applied.arms());
    n += target(b, es, "shadow", now.shadows(), cur.applied.shadows());
    n += calibration(b, es, now.calibration(), cur.applied.calibration());
    n += references(b, es, now.references(), cur.applied.references());
    String meta = RedisKeys.responseMeta(es.experimentId(), es.version());
    if (es.references().active() && !cur.startAgreed) {
      ReferenceSketches refs = es.references();
      b.hsetnxThenGet(meta, "start", Long.toString(refs.startMillis()), v -> {
        try {
          refs.agreeStart(Long.parseLong(v));
          cur.startAgreed = true;
        } catch (NumberFormatException | NullPointerException bad) {
          // not a number: left as this instance's own start, tried again at the next flush
        }
      });
    }
    if (n > 0) {
      b.onSuccess(() -> cur.applied = now);
    }
  }

  /** The calibration's deltas since {@code was}; returns the writes added. */
  private static int calibration(FlushBatch b, ExperimentCounters es, CalibrationCounters.Figures now,
      CalibrationCounters.Figures was) {
    int n = 0;
    String meta = RedisKeys.responseMeta(es.experimentId(), es.version());
    if (now.dropped() != was.dropped()) {
      b.hincrby(meta, "dropped", now.dropped() - was.dropped());
      n++;
    }
    if (now.unjoined() != was.unjoined()) {
      b.hincrby(meta, "unjoined", now.unjoined() - was.unjoined());
      n++;
    }
    for (var arm : now.cells().entrySet()) {
      String key = RedisKeys.calibration(es.experimentId(), es.version(), arm.getKey());
      Map<String, CalibrationCounters.Cell> before = was.cells().getOrDefault(arm.getKey(), Map.of());
      for (var m : arm.getValue().entrySet()) {
        CalibrationCounters.Cell c = m.getValue();
        CalibrationCounters.Cell w = before.get(m.getKey());
        String f = m.getKey() + SEP;
        for (int i = 0; i < CalibrationCounters.BINS; i++) {
          long dn = c.n()[i] - (w == null ? 0 : w.n()[i]);
          if (dn != 0) {
            b.hincrby(key, f + "n" + SEP + i, dn);
            b.hincrbyfloat(key, f + "p" + SEP + i, c.sumP()[i] - (w == null ? 0 : w.sumP()[i]));
            n += 2;
          }
          long dy = c.positives()[i] - (w == null ? 0 : w.positives()[i]);
          if (dy != 0) {
            b.hincrby(key, f + "y" + SEP + i, dy);
            n++;
          }
        }
        double[] loss = {c.brierSum(), c.brierSumSq(), c.logSum(), c.logSumSq()};
        double[] lossWas = w == null ? new double[4]
            : new double[] {w.brierSum(), w.brierSumSq(), w.logSum(), w.logSumSq()};
        String[] names = {"brier", "brier2", "log", "log2"};
        for (int i = 0; i < 4; i++) {
          if (loss[i] != lossWas[i]) {
            b.hincrbyfloat(key, f + names[i], loss[i] - lossWas[i]);
            n++;
          }
        }
        long doo = c.outOfRange() - (w == null ? 0 : w.outOfRange());
        if (doo != 0) {
          b.hincrby(key, f + "oor", doo);
          n++;
        }
      }
    }
    return n;
  }

  /** This instance's reference-window sketches, where they changed; returns the writes added. */
  private int references(FlushBatch b, ExperimentCounters es,
      Map<String, Map<String, ReferenceSketches.Sketches>> now,
      Map<String, Map<String, ReferenceSketches.Sketches>> was) {
    int n = 0;
    for (var arm : now.entrySet()) {
      String key = RedisKeys.responseSketches(es.experimentId(), es.version(), "arm", arm.getKey());
      Map<String, ReferenceSketches.Sketches> before = was.getOrDefault(arm.getKey(), Map.of());
      for (var m : arm.getValue().entrySet()) {
        ReferenceSketches.Sketches s = m.getValue();
        ReferenceSketches.Sketches w = before.get(m.getKey());
        if (w == null || s.reference().getTotalCount() != w.reference().getTotalCount()) {
          b.hset(key, m.getKey() + "@" + instance + "@ref", FiguresReader.encode(s.reference()));
          n++;
        }
        if (w == null || s.after().getTotalCount() != w.after().getTotalCount()) {
          b.hset(key, m.getKey() + "@" + instance + "@after", FiguresReader.encode(s.after()));
          n++;
        }
      }
    }
    return n;
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
    Map<String, CompletableFuture<Map<String, String>>> calibration = new LinkedHashMap<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (var arm : e.arms()) {
      arms.put(arm.id(), fetch(a, e, "arm", arm.id(), all));
    }
    for (var sh : e.shadows()) {
      shadows.put(sh.id(), fetch(a, e, "shadow", sh.id(), all));
    }
    boolean calibrates = local.calibration().active();
    CompletableFuture<Map<String, String>> meta = a.hgetall(RedisKeys.responseMeta(e.id(), e.version()))
        .toCompletableFuture();
    all.add(meta);
    if (calibrates) {
      for (var arm : e.arms()) {
        CompletableFuture<Map<String, String>> f = a.hgetall(RedisKeys.calibration(e.id(), e.version(), arm.id()))
            .toCompletableFuture();
        calibration.put(arm.id(), f);
        all.add(f);
      }
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(v -> new ResponseCounters.Snapshot(cells(arms, names), cells(shadows, names),
            calibrates ? calibrationOf(local, calibration, meta.join()) : CalibrationCounters.Figures.EMPTY,
            referencesOf(local, arms)));
  }

  /** The calibration figures summed over instances. */
  private static CalibrationCounters.Figures calibrationOf(ExperimentCounters local,
      Map<String, CompletableFuture<Map<String, String>>> arms, Map<String, String> meta) {
    Map<String, Map<String, CalibrationCounters.Cell>> cells = new LinkedHashMap<>();
    Map<String, Map<String, CalibrationCounters.Cell>> shape = local.calibration().snapshot();
    arms.forEach((arm, f) -> {
      Map<String, String> h = f.join();
      Map<String, CalibrationCounters.Cell> m = new LinkedHashMap<>();
      for (String metric : shape.getOrDefault(arm, Map.of()).keySet()) {
        String p = metric + SEP;
        long[] n = new long[CalibrationCounters.BINS];
        double[] sumP = new double[CalibrationCounters.BINS];
        long[] y = new long[CalibrationCounters.BINS];
        for (int i = 0; i < CalibrationCounters.BINS; i++) {
          n[i] = longOf(h.get(p + "n" + SEP + i));
          sumP[i] = doubleOf(h.get(p + "p" + SEP + i));
          y[i] = longOf(h.get(p + "y" + SEP + i));
        }
        m.put(metric, new CalibrationCounters.Cell(n, sumP, y, doubleOf(h.get(p + "brier")),
            doubleOf(h.get(p + "brier2")), doubleOf(h.get(p + "log")), doubleOf(h.get(p + "log2")),
            longOf(h.get(p + "oor"))));
      }
      cells.put(arm, m);
    });
    return new CalibrationCounters.Figures(cells, longOf(meta.get("dropped")), longOf(meta.get("unjoined")));
  }

  /** The reference-window sketches summed over instances (metrics with a reference window only). */
  private static Map<String, Map<String, ReferenceSketches.Sketches>> referencesOf(ExperimentCounters local,
      Map<String, CompletableFuture<Map<String, String>>[]> arms) {
    Map<String, Map<String, ReferenceSketches.Sketches>> shape = local.references().sketches();
    Map<String, Map<String, ReferenceSketches.Sketches>> out = new LinkedHashMap<>();
    arms.forEach((arm, f) -> {
      Map<String, String> sk = f[1].join();
      Map<String, ReferenceSketches.Sketches> m = new LinkedHashMap<>();
      for (String metric : shape.getOrDefault(arm, Map.of()).keySet()) {
        Histogram ref = ResponseCounters.newSketch();
        Histogram after = ResponseCounters.newSketch();
        sk.forEach((field, v) -> {
          if (field.startsWith(metric + "@") && field.endsWith("@ref")
              && field.indexOf('@', metric.length() + 1) == field.length() - 4) {
            ref.add(FiguresReader.decode(v));
          } else if (field.startsWith(metric + "@") && field.endsWith("@after")
              && field.indexOf('@', metric.length() + 1) == field.length() - 6) {
            after.add(FiguresReader.decode(v));
          }
        });
        m.put(metric, new ReferenceSketches.Sketches(ref, after));
      }
      out.put(arm, m);
    });
    return out;
  }

  private static long longOf(String v) {
    return v == null ? 0 : Long.parseLong(v);
  }

  private static double doubleOf(String v) {
    return v == null ? 0 : Double.parseDouble(v);
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
