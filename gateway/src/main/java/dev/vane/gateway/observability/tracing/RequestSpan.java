package dev.vane.gateway.observability.tracing;

import java.util.concurrent.ThreadLocalRandom;

import dev.vane.config.EndpointSettings;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;

/**
 * The SERVER span of one proxied request, and the parent of its upstream calls' spans. Used on the request's event
 * loop only. A request whose trace is not sampled still has one (not recording, nothing exported), so that its
 * upstream calls carry a {@code traceparent} of this trace; the attribute setters then do nothing.
 */
public final class RequestSpan {
  private final Pipeline pipeline;
  private final Span span; // null: an unsampled new trace, propagated without SDK objects
  private final Context context;
  private final String method;
  private final String traceId; // with span == null

  RequestSpan(Pipeline pipeline, Span span, Context context, String method) {
    this.pipeline = pipeline;
    this.span = span;
    this.context = context;
    this.method = method;
    this.traceId = null;
  }

  private RequestSpan(String traceId) {
    this.pipeline = null;
    this.span = null;
    this.context = null;
    this.method = null;
    this.traceId = traceId;
  }

  /** A new trace that is not sampled: upstream calls get its unsampled {@code traceparent}; nothing is recorded. */
  static RequestSpan unsampled(String traceId) {
    return new RequestSpan(traceId);
  }

  /** Whether this span is sampled (recorded and exported). */
  public boolean sampled() {
    return span != null && span.getSpanContext().isSampled();
  }

  /** The request's route ({@code id} of its route, or {@code default} for the default endpoint); names the span. */
  public void route(String route) {
    if (span != null && span.isRecording()) {
      span.setAttribute(Attrs.ROUTE, route);
      span.updateName(method + " " + route);
    }
  }

  /**
   * The experiment's decision.
   *
   * @param assignment how the arm was chosen ({@code sticky}, {@code assigned}, {@code hashed}, {@code random},
   *                   {@code bandit}, {@code override}, {@code not_targeted}, {@code not_covered}, {@code paused})
   * @param sticky     whether the unit's arm is stored (found, or stored by this request)
   */
  public void assigned(String experiment, String arm, String assignment, boolean sticky) {
    if (span != null && span.isRecording()) {
      span.setAttribute(Attrs.EXPERIMENT, experiment);
      span.setAttribute(Attrs.ARM, arm);
      span.setAttribute(Attrs.ASSIGNMENT, assignment);
      span.setAttribute(Attrs.STICKY, sticky);
    }
  }

  /**
   * Starts the CLIENT span of one call to an upstream endpoint, a child of this span; {@link UpstreamSpan#inject}
   * then gives the upstream its {@code traceparent}.
   *
   * @param fallback whether this call retries a failed arm on the control
   */
  public UpstreamSpan startUpstream(EndpointSettings endpoint, boolean fallback) {
    if (span == null) {
      return UpstreamSpan.unsampled("00-" + traceId + "-" + Pipeline.hex(ThreadLocalRandom.current().nextLong() | 1L)
          + "-00");
    }
    Span s = pipeline.tracer.spanBuilder(endpoint.id()) // named when recording: no string is built otherwise
        .setParent(context)
        .setSpanKind(SpanKind.CLIENT)
        .startSpan();
    if (s.isRecording()) {
      s.updateName("upstream " + endpoint.id());
      Attrs.endpoint(s, endpoint, method);
      s.setAttribute(Attrs.FALLBACK, fallback);
    }
    return new UpstreamSpan(s);
  }

  /**
   * What shadow copies link their spans to: this span's context, or null when this span is not sampled (the
   * copies then get no span either). Valid after the span ended.
   */
  public TraceLink link() {
    return sampled() ? new TraceLink(pipeline, span.getSpanContext()) : null;
  }

  /**
   * Ends the span.
   *
   * @param status    the status the client got (499 when it left first); 5xx marks the span as an error
   * @param requestId Vane's request id
   * @param endpoint  the endpoint that served it (the control's after a fallback), or null when none did
   * @param fallback  whether the assigned arm failed and the control served instead
   */
  public void end(int status, String requestId, String endpoint, boolean fallback) {
    if (span == null) {
      return;
    }
    if (span.isRecording()) {
      span.setAttribute(Attrs.HTTP_STATUS, status);
      span.setAttribute(Attrs.REQUEST_ID, requestId);
      if (endpoint != null) {
        span.setAttribute(Attrs.ENDPOINT, endpoint);
      }
      span.setAttribute(Attrs.FALLBACK, fallback);
      if (status >= 500) {
        span.setAttribute(Attrs.ERROR_TYPE, Integer.toString(status));
        span.setStatus(StatusCode.ERROR);
      }
    }
    span.end();
  }
}
