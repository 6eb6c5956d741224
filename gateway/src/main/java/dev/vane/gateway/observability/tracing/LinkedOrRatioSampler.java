package dev.vane.gateway.observability.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;

/**
 * Which spans are kept. A span with a parent follows the parent's sampled flag (a request whose incoming
 * {@code traceparent} says sampled is traced whatever the ratio; one that says not sampled is not). A root span that
 * links to a sampled span is kept too: a shadow copy's span starts a trace of its own, linked to its request's span,
 * and is kept exactly when that request's span is. Any other root (a request without a {@code traceparent}) is kept
 * for the share {@code ratio} of trace ids (OpenTelemetry's {@code TraceIdRatioBased}: the low 63 bits of the trace
 * id below {@code ratio * 2^63}).
 */
final class LinkedOrRatioSampler implements Sampler {
  private final Sampler parentBased;
  private final double ratio;

  LinkedOrRatioSampler(double ratio) {
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("samplingRatio: " + ratio + " (expected: 0 to 1)");
    }
    this.ratio = ratio;
    this.parentBased = Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
  }

  @Override
  public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
      Attributes attributes, List<LinkData> parentLinks) {
    if (!parentLinks.isEmpty() && !Span.fromContext(parentContext).getSpanContext().isValid()) {
      for (int i = 0, n = parentLinks.size(); i < n; i++) {
        if (parentLinks.get(i).getSpanContext().isSampled()) {
          return SamplingResult.recordAndSample();
        }
      }
    }
    return parentBased.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
  }

  @Override
  public String getDescription() {
    return "LinkedOrRatio{" + ratio + "}";
  }
}
