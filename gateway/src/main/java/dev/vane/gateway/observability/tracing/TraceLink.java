package dev.vane.gateway.observability.tracing;

import dev.vane.config.EndpointSettings;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;

/**
 * A sampled request's span, as its shadow copies refer to it: each copy's span starts a trace of its own (a copy
 * outlives the request it copies, and is not part of answering it) with a link to the request's span. Immutable;
 * handed to the shadow loop with the copies.
 */
public final class TraceLink {
  private final Pipeline pipeline;
  private final SpanContext request;

  TraceLink(Pipeline pipeline, SpanContext request) {
    this.pipeline = pipeline;
    this.request = request;
  }

  /** Starts the CLIENT span of a shadow copy, linked to the request's span. */
  public UpstreamSpan startShadow(String shadow, EndpointSettings endpoint, String method) {
    Span s = pipeline.tracer.spanBuilder("shadow " + shadow)
        .setNoParent()
        .addLink(request)
        .setSpanKind(SpanKind.CLIENT)
        .startSpan();
    if (s.isRecording()) {
      s.setAttribute(Attrs.SHADOW, shadow);
      Attrs.endpoint(s, endpoint, method);
    }
    return new UpstreamSpan(s);
  }
}
