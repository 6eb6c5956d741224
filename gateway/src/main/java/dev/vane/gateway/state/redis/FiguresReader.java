package dev.vane.gateway.state.redis;

import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.counters.LatencyRecorder;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.router.Experiment;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Reads an experiment version's figures summed over every instance from Redis (the keys {@link RedisFigures}
 * writes; all of one experiment's carry its hash tag, so the pipeline of reads goes to one node), and the encoding
 * of the latency histograms both share.
 */
final class FiguresReader {
  /** Separates a slice field's value, arm and sum name: {@code value SEP arm SEP (exposures | metric.n | ...)}. */
  static final String SEP = "\u001f";

  private FiguresReader() {}

  static CompletionStage<Figures.Experiment> read(RedisClusterAsyncCommands<String, String> a, Experiment e,
      ExperimentCounters local, Duration timeout) {
    String id = e.id();
    String ver = e.version();
    CompletableFuture<Map<String, String>> expF = a.hgetall(RedisKeys.figures(id, ver)).toCompletableFuture();
    Map<String, CompletableFuture<Map<String, String>>> armF = new LinkedHashMap<>();
    Map<String, CompletableFuture<Map<String, String>>> armLatF = new HashMap<>();
    Map<String, CompletableFuture<Long>> armUnitsF = new HashMap<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    all.add(expF);
    for (var arm : e.arms()) {
      armF.put(arm.id(), a.hgetall(RedisKeys.armFigures(id, ver, arm.id())).toCompletableFuture());
      armLatF.put(arm.id(), a.hgetall(RedisKeys.armLatency(id, ver, arm.id())).toCompletableFuture());
      armUnitsF.put(arm.id(), a.pfcount(RedisKeys.armUnits(id, ver, arm.id())).toCompletableFuture());
    }
    Map<String, CompletableFuture<Map<String, String>>> shF = new LinkedHashMap<>();
    Map<String, CompletableFuture<Map<String, String>>> shLatF = new HashMap<>();
    for (var sh : e.shadows()) {
      shF.put(sh.id(), a.hgetall(RedisKeys.shadowFigures(id, ver, sh.id())).toCompletableFuture());
      shLatF.put(sh.id(), a.hgetall(RedisKeys.shadowLatency(id, ver, sh.id())).toCompletableFuture());
    }
    Map<String, CompletableFuture<Map<String, String>>> outF = new LinkedHashMap<>();
    for (var arm : e.arms()) {
      outF.put(arm.id(), a.hgetall(RedisKeys.armOutcomes(id, ver, arm.id())).toCompletableFuture());
    }
    Map<String, CompletableFuture<Map<String, String>>> sliceF = new LinkedHashMap<>();
    for (String dim : local.outcomes().dimensions()) {
      sliceF.put(dim, a.hgetall(RedisKeys.slice(id, ver, dim)).toCompletableFuture());
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
          armF.forEach((arm, f) -> {
            long[] c2 = longs(f.join(), Figures.Arm.fields());
            c2[2] = armUnitsF.get(arm).join();
            arms.put(arm, Figures.Arm.of(c2, histogram(armLatF.get(arm).join())));
          });
          Map<String, Figures.Shadow> shadows = new LinkedHashMap<>();
          shF.forEach((sh, f) -> {
            Map<String, String> m = f.join();
            double max = 0;
            for (var en : m.entrySet()) {
              if (en.getKey().startsWith("maxAbsDiff@")) {
                max = Math.max(max, Double.parseDouble(en.getValue()));
              }
            }
            shadows.put(sh, Figures.Shadow.of(longs(m, Figures.Shadow.fields()), max,
                histogram(shLatF.get(sh).join())));
          });
          long[] ec = longs(expF.join(), Figures.Experiment.fields());
          return new Figures.Experiment("redis", ec[0], ec[1], ec[2], ec[3], arms, shadows,
              outcomesOf(local, outF, sliceF));
        });
  }

  static OutcomeCounters.Snapshot outcomesOf(ExperimentCounters local,
      Map<String, CompletableFuture<Map<String, String>>> outF,
      Map<String, CompletableFuture<Map<String, String>>> sliceF) {
    var metrics = local.outcomes().analysis().metrics();
    Map<String, Map<String, OutcomeCounters.Sums>> pooled = new LinkedHashMap<>();
    outF.forEach((arm, f) -> {
      Map<String, String> h = f.join();
      Map<String, OutcomeCounters.Sums> ms = new LinkedHashMap<>();
      for (var m : metrics) {
        ms.put(m.name(), sumsOf(h, m.name() + "."));
      }
      pooled.put(arm, ms);
    });
    Map<String, Map<String, Map<String, OutcomeCounters.SliceCell>>> slices = new LinkedHashMap<>();
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
      Map<String, Map<String, OutcomeCounters.SliceCell>> values = new LinkedHashMap<>();
      grouped.forEach((value, arms) -> {
        Map<String, OutcomeCounters.SliceCell> cells = new LinkedHashMap<>();
        arms.forEach((arm, fields) -> {
          Map<String, OutcomeCounters.Sums> ms = new LinkedHashMap<>();
          for (var m : metrics) {
            ms.put(m.name(), sumsOf(fields, m.name() + "."));
          }
          String exp = fields.get("exposures");
          cells.put(arm, new OutcomeCounters.SliceCell(exp == null ? 0 : Long.parseLong(exp), ms));
        });
        values.put(value, cells);
      });
      slices.put(dim, values);
    });
    return new OutcomeCounters.Snapshot(pooled, slices);
  }

  static OutcomeCounters.Sums sumsOf(Map<String, String> h, String prefix) {
    String n = h.get(prefix + "n");
    String sum = h.get(prefix + "sum");
    String sq = h.get(prefix + "sumsq");
    return new OutcomeCounters.Sums(n == null ? 0 : Long.parseLong(n), sum == null ? 0 : Double.parseDouble(sum),
        sq == null ? 0 : Double.parseDouble(sq));
  }

  static long[] longs(Map<String, String> m, String[] fields) {
    long[] out = new long[fields.length];
    for (int i = 0; i < fields.length; i++) {
      String v = m.get(fields[i]);
      out[i] = v == null ? 0 : Long.parseLong(v);
    }
    return out;
  }

  /** Merges every instance's cumulative histogram (one field per instance). */
  static Histogram histogram(Map<String, String> perInstance) {
    Histogram h = LatencyRecorder.newHistogram();
    for (String encoded : perInstance.values()) {
      h.add(decode(encoded));
    }
    return h;
  }


  /** This instance's cumulative histogram as stored: compressed HdrHistogram encoding, base64. */
  static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), n));
  }

  static Histogram decode(String s) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(s)), 0);
    } catch (DataFormatException | IllegalArgumentException e) {
      throw new IllegalStateException("undecodable latency histogram in Redis: " + e.getMessage(), e);
    }
  }
}
