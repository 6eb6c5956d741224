package dev.vane.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An OpenTelemetry collector's OTLP/HTTP traces endpoint on loopback: accepts {@code POST /v1/traces}
 * (protobuf), decodes each export with the OTLP protobuf messages and keeps the spans, with their resource.
 */
final class OtlpReceiver implements AutoCloseable {
  /** One received span, its ids in lowercase hex as {@code traceparent} writes them. */
  record Received(Resource resource, Span span) {
    String name() {
      return span.getName();
    }

    String traceId() {
      return HexFormat.of().formatHex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return HexFormat.of().formatHex(span.getSpanId().toByteArray());
    }

    String parentSpanId() {
      return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
    }

    /** The attribute's value (string, bool or int, as text), or null. */
    String attr(String key) {
      return value(span.getAttributesList(), key);
    }

    String resourceAttr(String key) {
      return value(resource.getAttributesList(), key);
    }

    private static String value(List<KeyValue> kvs, String key) {
      for (KeyValue kv : kvs) {
        if (kv.getKey().equals(key)) {
          AnyValue v = kv.getValue();
          return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            default -> v.toString();
          };
        }
      }
      return null;
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<Received> spans = new ArrayList<>(); // guarded by itself
  private volatile int exports;
  private volatile int refused;

  OtlpReceiver() {
    server = vertx.createHttpServer().requestHandler(req -> {
      if (req.method() != HttpMethod.POST || !req.path().equals("/v1/traces")) {
        refused++;
        req.response().setStatusCode(404).end();
        return;
      }
      req.body().onSuccess(body -> {
        ExportTraceServiceRequest export;
        try {
          export = ExportTraceServiceRequest.parseFrom(body.getBytes());
        } catch (InvalidProtocolBufferException e) {
          refused++;
          req.response().setStatusCode(400).end(e.getMessage());
          return;
        }
        synchronized (spans) {
          for (ResourceSpans rs : export.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
              for (Span s : ss.getSpansList()) {
                spans.add(new Received(rs.getResource(), s));
              }
            }
          }
        }
        exports++;
        req.response().putHeader("Content-Type", "application/x-protobuf")
            .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
      });
    }).listen(0, "127.0.0.1").await();
  }

  /** The traces endpoint, for {@code observability.tracing.endpoint}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1/traces";
  }

  List<Received> spans() {
    synchronized (spans) {
      return List.copyOf(spans);
    }
  }

  /** The one span named {@code name}; fails unless there is exactly one. */
  Received span(String name) {
    List<Received> named = spans().stream().filter(s -> s.name().equals(name)).toList();
    if (named.size() != 1) {
      throw new AssertionError(named.size() + " spans named " + name + " in " + spans().stream()
          .map(Received::name).toList());
    }
    return named.get(0);
  }

  /** Exports received (each a POST that decoded), and requests refused (wrong path, or not OTLP protobuf). */
  int exports() {
    return exports;
  }

  int refused() {
    return refused;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
