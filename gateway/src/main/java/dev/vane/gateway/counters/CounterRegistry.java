package dev.vane.gateway.counters;

import dev.vane.config.VaneConfig;
import dev.vane.router.Experiment;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Figures keyed by experiment id and experiment version, so a changed experiment starts new figures instead of
 * mixing old and new silently; an unchanged experiment keeps its figures across reloads.
 */
public final class CounterRegistry {
  private final Clock clock;
  private final Map<String, ExperimentCounters> byKey = new ConcurrentHashMap<>();
  private volatile CalibrationCounters.Sink predictions = CalibrationCounters.Sink.NONE;

  public CounterRegistry(Clock clock) {
    this.clock = clock;
  }

  /** Where the calibrated predictions of every version bound from now on go besides their counts. */
  public void predictions(CalibrationCounters.Sink sink) {
    this.predictions = sink;
  }

  static String key(String id, String version) {
    return id + "@" + version;
  }

  /** Figures for every experiment of {@code cfg}, creating those of new versions. */
  public Map<String, ExperimentCounters> bind(VaneConfig cfg) {
    // replaced versions keep their counters, but their time-series rows go once they leave the retention
    byKey.values().forEach(c -> c.timeSeries().dropExpired());
    Map<String, ExperimentCounters> out = new HashMap<>();
    for (Experiment e : cfg.routing().experiments().values()) {
      out.put(e.id(), byKey.computeIfAbsent(key(e.id(), e.version()),
          k -> {
            ExperimentCounters c = new ExperimentCounters(e, cfg.analysis(e.id()), clock.instant(), clock::millis,
                cfg.timeseries());
            c.calibration().sink(predictions);
            return c;
          }));
    }
    return Map.copyOf(out);
  }

  /** The counters of every experiment version bound since this registry was created (none is ever dropped). */
  public java.util.List<ExperimentCounters> all() {
    return java.util.List.copyOf(byKey.values());
  }

  /** Figures of an earlier or current version, or null. */
  public ExperimentCounters get(String id, String version) {
    return byKey.get(key(id, version));
  }
}
