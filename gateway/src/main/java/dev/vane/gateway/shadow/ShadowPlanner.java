package dev.vane.gateway.shadow;

import dev.vane.config.EndpointSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.ShadowCounters;
import dev.vane.router.Experiment;
import dev.vane.router.Shadow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Decides which shadows get a copy of a request (each shadow's {@code percent}) and reserves their in-flight slots
 * ({@code maxShadowInFlight} per endpoint, shared by every event loop); a copy over the budget is dropped and
 * counted. One planner per gateway.
 */
public final class ShadowPlanner {
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  /**
   * The copies to send for one request of {@code experiment}, or null when there are none; each copy is marked
   * compared or not by its shadow's {@code comparePercent} and {@code requestId} ({@link Shadow#compares}).
   */
  public List<ShadowCall> plan(Experiment experiment, ExperimentCounters stats, VaneConfig config, RandomGenerator random,
      String requestId) {
    List<Shadow> shadows = experiment.shadows();
    List<ShadowCall> calls = null;
    for (int i = 0, n = shadows.size(); i < n; i++) {
      Shadow s = shadows.get(i);
      if (s.percentBps() < 10_000 && random.nextInt(10_000) >= s.percentBps()) {
        continue;
      }
      ShadowCounters counters = stats.shadow(s.id());
      EndpointSettings ep = config.endpoints().get(s.endpoint());
      AtomicInteger slots = inFlight(ep.id());
      if (slots.incrementAndGet() > ep.maxShadowInFlight()) {
        slots.decrementAndGet();
        counters.recordDropped();
        continue;
      }
      counters.recordMirrored();
      if (calls == null) {
        calls = new ArrayList<>(n);
      }
      ShadowCall call = new ShadowCall(s, counters, ep, slots, s.compares(requestId));
      call.responses = stats.responses().shadow(s.id());
      call.analysis = config.analysis(experiment.id());
      calls.add(call);
    }
    return calls;
  }

  /** Whether any of {@code calls} is compared, i.e. whether the served body must be kept (null: none). */
  public static boolean anyCompared(List<ShadowCall> calls) {
    if (calls == null) {
      return false;
    }
    for (int i = 0, n = calls.size(); i < n; i++) {
      if (calls.get(i).compare) {
        return true;
      }
    }
    return false;
  }

  /** Copies in flight to an endpoint now. */
  public AtomicInteger inFlight(String endpoint) {
    return inFlight.computeIfAbsent(endpoint, k -> new AtomicInteger());
  }
}
