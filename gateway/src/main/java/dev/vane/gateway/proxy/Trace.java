package dev.vane.gateway.proxy;

import dev.vane.gateway.observability.tracing.RequestSpan;
import dev.vane.gateway.observability.tracing.Tracing;
import dev.vane.router.Assignment;

/**
 * The request's OpenTelemetry SERVER span, when tracing is on (the first step, so the span covers the whole
 * exchange): started on the way in, continuing the client's {@code traceparent}; at the end, given the route, the
 * experiment's decision, the endpoint that served, the status and whether the control served as a fallback, then
 * ended. {@link Forward} makes the CLIENT span of each upstream call and {@link Mirror} links the shadow copies'
 * spans to this one. With tracing off the exchange has no span, and no step makes any tracing object.
 */
final class Trace implements ProxyStep {
  private final Tracing tracing;

  Trace(Tracing tracing) {
    this.tracing = tracing;
  }

  @Override
  public void onRequest(Exchange x) {
    x.span = tracing.startRequest(x.req);
    x.proceed();
  }

  @Override
  public void onEnd(Exchange x) {
    RequestSpan span = x.span;
    if (span == null) {
      return;
    }
    if (x.upstreamSpan != null) {
      // the served call's span ends with the exchange: a streamed body is part of the call
      x.upstreamSpan.end();
    }
    if (span.sampled()) {
      if (x.route != null) {
        span.route(x.route.id());
      } else if (x.endpoint != null) {
        span.route("default");
      }
      Assignment a = x.assignment;
      if (a != null) {
        span.assigned(x.experiment.id(), a.arm().id(), a.reason().name().toLowerCase(java.util.Locale.ROOT),
            a.reason() == Assignment.Reason.STICKY || a.reason() == Assignment.Reason.ASSIGNED
                || a.reason() == Assignment.Reason.MOVED);
      }
    }
    span.end(x.status(), x.requestId, x.upstreamEndpoint == null ? null : x.upstreamEndpoint.id(), x.fellBack);
  }
}
