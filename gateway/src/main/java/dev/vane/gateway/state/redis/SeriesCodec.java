package dev.vane.gateway.state.redis;

import dev.vane.gateway.counters.LatencyBuckets;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.counters.SeriesPeriod;
import java.util.HashMap;
import java.util.Map;

/**
 * The one encoding of a time-series row as the fields of a Redis hash ({@link RedisKeys#series}), summed over
 * instances by HINCRBY / HINCRBYFLOAT. Fields, {@code SEP} being {@link FiguresReader#SEP}: {@code a SEP <arm> SEP
 * <count>} (names of {@link SeriesPeriod#ARM_NAMES}), {@code a SEP <arm> SEP lat SEP <bucket>} (non-zero latency
 * buckets), {@code a SEP <arm> SEP m SEP <metric> SEP n|sum|sumsq}, {@code s SEP <shadow> SEP <count>}
 * ({@link SeriesPeriod#SHADOW_NAMES}). Zero deltas are not written, so a row's hash holds only what happened.
 */
final class SeriesCodec {
  private static final String SEP = FiguresReader.SEP;

  private SeriesCodec() {}

  /** Adds the writes of one row's delta to {@code b}; returns how many fields it writes. */
  static int write(FlushBatch b, String key, SeriesPeriod d) {
    SeriesPeriod.Layout l = d.layout();
    int n = 0;
    for (int a = 0; a < l.arms().size(); a++) {
      String arm = "a" + SEP + l.arms().get(a) + SEP;
      for (int f = 0; f < SeriesPeriod.ARM_FIELDS; f++) {
        long v = d.arm(a, f);
        if (v != 0) {
          b.hincrby(key, arm + SeriesPeriod.ARM_NAMES.get(f), v);
          n++;
        }
      }
      long[] lat = d.latency(a);
      for (int i = 0; lat != null && i < lat.length; i++) {
        if (lat[i] != 0) {
          b.hincrby(key, arm + "lat" + SEP + i, lat[i]);
          n++;
        }
      }
      for (int m = 0; m < l.metrics().size(); m++) {
        OutcomeCounters.Sums s = d.outcome(a, m);
        String prefix = arm + "m" + SEP + l.metrics().get(m) + SEP;
        if (s.n() != 0) {
          b.hincrby(key, prefix + "n", s.n());
          n++;
        }
        if (s.sum() != 0) {
          b.hincrbyfloat(key, prefix + "sum", s.sum());
          n++;
        }
        if (s.sumSq() != 0) {
          b.hincrbyfloat(key, prefix + "sumsq", s.sumSq());
          n++;
        }
      }
    }
    for (int s = 0; s < l.shadows().size(); s++) {
      for (int f = 0; f < SeriesPeriod.SHADOW_FIELDS; f++) {
        long v = d.shadow(s, f);
        if (v != 0) {
          b.hincrby(key, "s" + SEP + l.shadows().get(s) + SEP + SeriesPeriod.SHADOW_NAMES.get(f), v);
          n++;
        }
      }
    }
    return n;
  }

  /** A row's hash read back; fields of arms, shadows or metrics the layout does not know are ignored. */
  static SeriesPeriod read(SeriesPeriod.Layout l, long startMillis, Map<String, String> hash) {
    SeriesPeriod p = new SeriesPeriod(l, startMillis);
    Map<String, Integer> arms = index(l.arms());
    Map<String, Integer> shadows = index(l.shadows());
    Map<String, Integer> metrics = index(l.metrics());
    hash.forEach((field, value) -> {
      String[] f = field.split(SEP, -1);
      if (f.length == 3 && f[0].equals("a") && arms.containsKey(f[1])) {
        int i = SeriesPeriod.ARM_NAMES.indexOf(f[2]);
        if (i >= 0) {
          p.addArm(arms.get(f[1]), i, Long.parseLong(value));
        }
      } else if (f.length == 4 && f[0].equals("a") && f[2].equals("lat") && arms.containsKey(f[1])) {
        int bucket = Integer.parseInt(f[3]);
        if (bucket >= 0 && bucket < LatencyBuckets.COUNT) {
          p.addLatency(arms.get(f[1]), bucket, Long.parseLong(value));
        }
      } else if (f.length == 5 && f[0].equals("a") && f[2].equals("m") && arms.containsKey(f[1])
          && metrics.containsKey(f[3])) {
        int a = arms.get(f[1]);
        int m = metrics.get(f[3]);
        switch (f[4]) {
          case "n" -> p.addOutcome(a, m, Long.parseLong(value), 0, 0);
          case "sum" -> p.addOutcome(a, m, 0, Double.parseDouble(value), 0);
          case "sumsq" -> p.addOutcome(a, m, 0, 0, Double.parseDouble(value));
          default -> { }
        }
      } else if (f.length == 3 && f[0].equals("s") && shadows.containsKey(f[1])) {
        int i = SeriesPeriod.SHADOW_NAMES.indexOf(f[2]);
        if (i >= 0) {
          p.addShadow(shadows.get(f[1]), i, Long.parseLong(value));
        }
      }
    });
    return p;
  }

  private static Map<String, Integer> index(java.util.List<String> ids) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      m.put(ids.get(i), i);
    }
    return m;
  }
}
