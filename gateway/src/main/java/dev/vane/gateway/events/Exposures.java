package dev.vane.gateway.events;

import dev.vane.config.Analysis;
import dev.vane.router.Assignment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the exposure event of a request that ended (the request path's one call: {@link #offer}). */
public final class Exposures {
  private Exposures() {}

  /**
   * Offers the exposure of a request counted as one.
   *
   * @param arrivedMillis when the request arrived (epoch milliseconds)
   * @param version       the experiment version whose counters counted it
   * @param route         the id of the route that matched
   * @param sliceValues   the bounded slice values as counted, aligned with {@code analysis.slices()} (or empty)
   * @param fallback      whether the champion served it after the arm's endpoint failed
   */
  public static void offer(EventLog log, long arrivedMillis, Assignment a, String version, String requestId,
      String route, Analysis analysis, String[] sliceValues, boolean fallback) {
    if (!log.enabled() || !a.exposure()) {
      return;
    }
    Map<String, String> slices = Map.of();
    if (sliceValues != null && sliceValues.length > 0) {
      List<Analysis.Slice> dims = analysis.slices();
      slices = new LinkedHashMap<>();
      for (int i = 0; i < sliceValues.length && i < dims.size(); i++) {
        slices.put(dims.get(i).name(), sliceValues[i]);
      }
    }
    Assignment.Reason r = a.reason();
    log.offer(new Event.Exposure(arrivedMillis, a.experiment().id(), version, a.arm().id(), a.unit(), requestId,
        route, slices, r.name().toLowerCase(Locale.ROOT),
        r == Assignment.Reason.STICKY || r == Assignment.Reason.ASSIGNED, fallback));
  }
}
