package dev.vane.gateway.observability.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;

/**
 * The CLIENT span of one call to an upstream (the served call, its fallback, or a shadow copy). Ends once; later
 * ends do nothing. Used on one event loop only.
 */
public final class UpstreamSpan {
  /** Sets (replaces) a header: the client's own {@code traceparent} gives way to this span's. */
  private static final TextMapSetter<MultiMap> HEADERS = (headers, name, value) -> headers.set(name, value);

  private final Span span; // null: an unsampled new trace, propagated without SDK objects
  private final String traceparent; // with span == null
  private boolean ended;

  UpstreamSpan(Span span) {
    this.span = span;
    this.traceparent = null;
  }

  private UpstreamSpan(String traceparent) {
    this.span = null;
    this.traceparent = traceparent;
  }

  static UpstreamSpan unsampled(String traceparent) {
    return new UpstreamSpan(traceparent);
  }

  /** Puts this span's {@code traceparent} (and the trace's {@code tracestate}, if any) into the upstream request. */
  public void inject(MultiMap headers) {
    if (span == null) {
      headers.set("traceparent", traceparent);
      return;
    }
    Pipeline.W3C.inject(Context.root().with(span), headers, HEADERS);
  }

  /** The upstream answered with {@code status}; 5xx marks the span as an error. */
  public void status(int status) {
    if (span != null && span.isRecording()) {
      span.setAttribute(Attrs.HTTP_STATUS, status);
      if (status >= 500) {
        span.setAttribute(Attrs.ERROR_TYPE, Integer.toString(status));
        span.setStatus(StatusCode.ERROR);
      }
    }
  }

  /** Ends the span (once its answer has been read, or was abandoned). */
  public void end() {
    if (!ended) {
      ended = true;
      if (span != null) {
        span.end();
      }
    }
  }

  /** Ends the span as failed: no answer (connect failure, timeout, reset), or a body cut short. */
  public void fail(Throwable cause) {
    if (ended) {
      return;
    }
    ended = true;
    if (span == null) {
      return;
    }
    if (span.isRecording()) {
      span.setAttribute(Attrs.ERROR_TYPE, cause == null ? "unknown" : cause.getClass().getName());
      span.setStatus(StatusCode.ERROR, cause == null ? null : String.valueOf(cause.getMessage()));
    }
    span.end();
  }
}
