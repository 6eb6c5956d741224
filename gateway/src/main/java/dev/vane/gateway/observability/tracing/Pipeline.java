package dev.vane.gateway.observability.tracing;

import dev.vane.config.ObservabilitySettings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One export pipeline: a tracer provider whose batch span processor queues ended, sampled spans and exports them from
 * its own thread (never an event loop) with the OTLP/HTTP (protobuf) exporter.
 */
final class Pipeline {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
  static final String SCOPE = "dev.vane.gateway";
  static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private static final TextMapGetter<HttpServerRequest> REQUEST_HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpServerRequest req) {
      return req.headers().names();
    }

    @Override
    public String get(HttpServerRequest req, String key) {
      return req == null ? null : req.getHeader(key);
    }
  };

  private final SdkTracerProvider provider;
  final Tracer tracer;
  private final double ratio;

  private Pipeline(SdkTracerProvider provider, double ratio) {
    this.provider = provider;
    this.tracer = provider.get(SCOPE);
    this.ratio = ratio;
  }

  static Pipeline start(ObservabilitySettings.Tracing s) {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(s.endpoint()).build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, s.serviceName()))))
        .setSampler(new LinkedOrRatioSampler(s.samplingRatio()))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
        .build();
    return new Pipeline(provider, s.samplingRatio());
  }

  RequestSpan startRequest(HttpServerRequest req) {
    if (req.getHeader("traceparent") == null && !(ThreadLocalRandom.current().nextDouble() < ratio)) {
      // a new trace that is not sampled (most requests at a low ratio): no SDK objects at all, only a fresh
      // unsampled traceparent for the upstream calls (the sampling decision is the same as the trace-id ratio's)
      ThreadLocalRandom r = ThreadLocalRandom.current();
      return RequestSpan.unsampled(hex(r.nextLong() | 1L) + hex(r.nextLong()));
    }
    Context parent = W3C.extract(Context.root(), req, REQUEST_HEADERS);
    Span span = tracer.spanBuilder(req.method().name())
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .startSpan();
    if (span.isRecording()) {
      span.setAttribute(Attrs.HTTP_METHOD, req.method().name());
      span.setAttribute(Attrs.URL_PATH, req.path());
      SocketAddress a = req.remoteAddress();
      if (a != null) {
        span.setAttribute(Attrs.CLIENT_ADDRESS, a.hostAddress());
      }
    }
    return new RequestSpan(this, span, parent.with(span), req.method().name());
  }

  /** 16 lowercase hex digits. */
  static String hex(long v) {
    String s = Long.toHexString(v);
    return "0".repeat(16 - s.length()) + s;
  }

  /** Exports what is queued and stops; waits up to {@code waitMillis} for it (0: does not wait). */
  void shutdown(long waitMillis) {
    CompletableResultCode done = provider.shutdown();
    if (waitMillis > 0 && !done.join(waitMillis, TimeUnit.MILLISECONDS).isSuccess()) {
      log.warn("tracing: the last spans were not all exported within {} ms", waitMillis);
    }
  }
}
