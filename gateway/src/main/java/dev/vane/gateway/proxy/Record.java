package dev.vane.gateway.proxy;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.ArmCounters;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.events.Exposures;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.router.Assignment;
import dev.vane.router.FirstExposure;
import java.util.List;

/**
 * The experiment's counters for the request. On the way in: the arm's requests and exposures (or the override,
 * targeting and coverage misses and the requests of a paused experiment, which are not exposures), distinct units, slice exposures, and the attribution
 * feedback will join to (experiments that declare metrics). At the end: the status class and the end-to-end latency
 * (499 when the client left first), and the exposure's event for analysts (when events are on).
 */
final class Record implements ProxyStep {
  private static final String[] NO_SLICES = new String[0];

  private final GatewayCore core;

  Record(GatewayCore core) {
    this.core = core;
  }

  @Override
  public void onRequest(Exchange x) {
    Assignment a = x.assignment;
    if (a != null) {
      count(x, a);
    }
    x.proceed();
  }

  @Override
  public void onEnd(Exchange x) {
    ArmCounters as = x.armCounters;
    if (as != null) {
      as.recordEnd(x.status(), x.micros());
    }
    Assignment a = x.assignment;
    if (a != null && a.exposure() && core.events().enabled()) {
      Exposures.offer(core.events(), core.millis() - x.micros() / 1000, a, x.counters.version(), x.requestId,
          x.route == null ? null : x.route.id(), x.counters.outcomes().analysis(), x.sliceValues, x.fellBack);
    }
  }

  private void count(Exchange x, Assignment a) {
    ExperimentCounters es = x.counters;
    ArmCounters as = x.armCounters;
    switch (a.reason()) {
      case OVERRIDE -> es.recordOverride();
      case NOT_TARGETED -> es.recordNotTargeted();
      case NOT_COVERED -> es.recordNotCovered();
      case PAUSED -> es.recordPaused();
      case RANDOM -> as.recordNonSticky();
      default -> { }
    }
    // request, exposure and new unit with one read of the clock (the time series counts each in its minute)
    as.recordArrival(a.exposure(), a.reason() == Assignment.Reason.ASSIGNED || a.reason() == Assignment.Reason.MOVED,
        a.reason() == Assignment.Reason.ASSIGNED);
    core.recordUnit(es, a);
    if (a.exposure()) {
      analyse(x, es, a);
    }
  }

  /**
   * Slice exposure counts, and the attribution feedback will join to (experiments that declare metrics), with the
   * whole days since the unit's first exposure to its arm (the novelty check's exposures by day).
   */
  private void analyse(Exchange x, ExperimentCounters es, Assignment a) {
    OutcomeCounters outcomes = es.outcomes();
    Analysis analysis = outcomes.analysis();
    String[] slices = NO_SLICES;
    if (outcomes.hasSlices()) {
      List<Analysis.Slice> dims = analysis.slices();
      slices = new String[dims.size()];
      for (int i = 0; i < slices.length; i++) {
        Analysis.Slice d = dims.get(i);
        String raw;
        if (d.header() != null) {
          raw = x.req.getHeader(d.header());
        } else {
          try {
            raw = ModelBody.field(x.body.getBytes(), d.bodyField());
          } catch (IllegalArgumentException e) {
            raw = null;
          }
        }
        slices[i] = outcomes.sliceValue(i, raw);
      }
      outcomes.exposure(a.arm().id(), slices);
      x.sliceValues = slices;
    }
    if (!analysis.metrics().isEmpty()) {
      int day = FirstExposure.daysSince(a.firstExposureMillis(), core.millis());
      outcomes.exposureOnDay(a.arm().id(), day);
      core.feedback().exposed(es, a.arm().id(), x.requestId, a.unit(), slices, day);
    }
  }
}
